using System;
using System.Runtime.InteropServices;

namespace Unetr.Model.Training.Distributed;

/// <summary>
/// The few entry points of Open MPI's <c>libmpi.so.40</c> that data-parallel training calls, bound at run time so
/// that a machine without Open MPI fails with an install hint rather than a <see cref="DllNotFoundException"/>.
/// </summary>
/// <remarks>
/// Open MPI's predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses of
/// data symbols the library exports (<c>ompi_mpi_comm_world</c>, …), so the address of the export is the handle. Other
/// MPI implementations (MPICH, Microsoft MPI) use integer handles and are not supported by this binding.
/// </remarks>
internal sealed class MpiLibrary
{
    /// <summary>The Open MPI 4 library's soname.</summary>
    public const string DefaultName = "libmpi.so.40";

    /// <summary>MPI_THREAD_FUNNELED in Open MPI's mpi.h: only the thread that initialised MPI calls it.</summary>
    public const int ThreadFunneled = 1;

    /// <summary>Open MPI's MPI_IN_PLACE.</summary>
    public static readonly IntPtr InPlace = 1;

    private MpiLibrary(IntPtr handle)
    {
        T Function<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, name));
        Initialized = Function<FlagFunction>("MPI_Initialized");
        Finalized = Function<FlagFunction>("MPI_Finalized");
        InitThread = Function<InitThreadFunction>("MPI_Init_thread");
        CommRank = Function<CommIntFunction>("MPI_Comm_rank");
        CommSize = Function<CommIntFunction>("MPI_Comm_size");
        Bcast = Function<BcastFunction>("MPI_Bcast");
        Allreduce = Function<AllreduceFunction>("MPI_Allreduce");
        Barrier = Function<CommFunction>("MPI_Barrier");
        Abort = Function<AbortFunction>("MPI_Abort");
        Finalize = Function<NoArgumentFunction>("MPI_Finalize");
        CommWorld = NativeLibrary.GetExport(handle, "ompi_mpi_comm_world");
        Float = NativeLibrary.GetExport(handle, "ompi_mpi_float");
        Double = NativeLibrary.GetExport(handle, "ompi_mpi_double");
        Int64 = NativeLibrary.GetExport(handle, "ompi_mpi_int64_t");
        Sum = NativeLibrary.GetExport(handle, "ompi_mpi_op_sum");
        Max = NativeLibrary.GetExport(handle, "ompi_mpi_op_max");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int FlagFunction(out int flag);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int InitThreadFunction(IntPtr argc, IntPtr argv, int required, out int provided);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int CommIntFunction(IntPtr comm, out int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int BcastFunction(IntPtr buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int AllreduceFunction(IntPtr send, IntPtr receive, int count, IntPtr datatype, IntPtr operation, IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int CommFunction(IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int AbortFunction(IntPtr comm, int errorCode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int NoArgumentFunction();

    public FlagFunction Initialized { get; }

    public FlagFunction Finalized { get; }

    public InitThreadFunction InitThread { get; }

    public CommIntFunction CommRank { get; }

    public CommIntFunction CommSize { get; }

    public BcastFunction Bcast { get; }

    public AllreduceFunction Allreduce { get; }

    public CommFunction Barrier { get; }

    public AbortFunction Abort { get; }

    public NoArgumentFunction Finalize { get; }

    public IntPtr CommWorld { get; }

    public IntPtr Float { get; }

    public IntPtr Double { get; }

    public IntPtr Int64 { get; }

    public IntPtr Sum { get; }

    public IntPtr Max { get; }

    /// <summary>Loads the library by <paramref name="name"/> (a soname or a path).</summary>
    /// <exception cref="MpiException">It cannot be loaded, or it lacks an Open MPI symbol.</exception>
    public static MpiLibrary Load(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            throw new MpiException($"--distributed needs Open MPI's {name}, which could not be loaded: install it (Debian/Ubuntu: apt-get install openmpi-bin).");
        }

        try
        {
            return new MpiLibrary(handle);
        }
        catch (EntryPointNotFoundException error)
        {
            throw new MpiException($"{name} is not Open MPI 4 or later ({error.Message}); --distributed supports Open MPI (Debian/Ubuntu: apt-get install openmpi-bin).");
        }
    }

    /// <summary>Throws when an MPI call returned an error code (MPI_SUCCESS is 0).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new MpiException($"{call} failed with MPI error code {code}.");
        }
    }
}

/// <summary>MPI could not be loaded, started or called; the message says why and what to do.</summary>
public sealed class MpiException(string message) : Exception(message);
