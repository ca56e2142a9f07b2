using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Training.Distributed;

/// <summary>
/// The ranks of an MPI job (<c>MPI_COMM_WORLD</c> of Open MPI, see <see cref="MpiLibrary"/>) as an <see cref="IProcessGroup"/>.
/// </summary>
/// <remarks>
/// <para>
/// Threads: MPI is initialised with <c>MPI_THREAD_FUNNELED</c>, so every call must come from the thread that called
/// <see cref="Join"/>; a call from another thread throws rather than corrupting MPI's state.
/// </para>
/// <para>
/// Devices: a tensor that is not a contiguous CPU tensor is copied to a contiguous host tensor, reduced there and
/// copied back, so CUDA tensors work with any Open MPI build; device pointers are never handed to MPI (a CUDA-aware
/// build would allow it, but this binding does not detect one).
/// </para>
/// <para>
/// Failures: Open MPI's default error handler (<c>MPI_ERRORS_ARE_FATAL</c>) aborts the whole job when a collective
/// fails, and <c>mpirun</c> ends every rank when one exits without finalising, naming that rank. A rank that must give
/// up should call <see cref="Abort"/>: <see cref="Dispose"/> finalises, which waits for every other rank.
/// </para>
/// </remarks>
public sealed class MpiProcessGroup : IProcessGroup, IDisposable
{
    /// <summary>Environment variable naming the MPI library to load instead of <c>libmpi.so.40</c> (a soname or a path).</summary>
    public const string LibraryVariable = "UNETR_MPI_LIBRARY";

    /// <summary>Largest number of elements one MPI call moves; bigger tensors go in several calls (buckets).</summary>
    public const int DefaultBucketElements = 1 << 22;

    // Variables that Open MPI's mpirun, PMIx launchers (srun --mpi=pmix) and PMI-1/2 launchers set in every rank.
    private static readonly string[] LauncherVariables = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK" };

    private readonly MpiLibrary _mpi;
    private readonly int _thread;
    private readonly bool _ownsInitialization;
    private readonly int _bucketElements;
    private bool _finished;

    private MpiProcessGroup(MpiLibrary mpi, bool ownsInitialization, int bucketElements)
    {
        _mpi = mpi;
        _ownsInitialization = ownsInitialization;
        _bucketElements = bucketElements;
        _thread = Environment.CurrentManagedThreadId;
        MpiLibrary.Check(mpi.CommRank(mpi.CommWorld, out var rank), "MPI_Comm_rank");
        MpiLibrary.Check(mpi.CommSize(mpi.CommWorld, out var size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        LocalSize = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var local) && local > 0 ? local : 1;
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Ranks on this machine (Open MPI's <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>; 1 when the launcher does not say).</summary>
    public int LocalSize { get; }

    /// <summary>
    /// Initialises MPI (unless the host already did) on the calling thread and joins <c>MPI_COMM_WORLD</c>.
    /// </summary>
    /// <param name="bucketElements">Largest number of elements one MPI call moves.</param>
    /// <exception cref="MpiException">
    /// The process was not started by an MPI launcher, Open MPI's library is missing, or MPI failed to start; the
    /// message says how to launch or what to install.
    /// </exception>
    public static MpiProcessGroup Join(int bucketElements = DefaultBucketElements)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketElements, 1);
        if (Array.TrueForAll(LauncherVariables, name => Environment.GetEnvironmentVariable(name) is null))
        {
            throw new MpiException(
                "--distributed runs one process per rank under an MPI launcher, e.g. `mpirun -np 2 unetr train --distributed …` (as root add --allow-run-as-root; on Slurm `srun --mpi=pmix …`); without a launcher, leave out --distributed.");
        }

        var mpi = MpiLibrary.Load(Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } name ? name : MpiLibrary.DefaultName);
        MpiLibrary.Check(mpi.Initialized(out var initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            MpiLibrary.Check(mpi.InitThread(IntPtr.Zero, IntPtr.Zero, MpiLibrary.ThreadFunneled, out var provided), "MPI_Init_thread");
            if (provided < MpiLibrary.ThreadFunneled)
            {
                mpi.Abort(mpi.CommWorld, 1);
                throw new MpiException($"Open MPI provides thread level {provided}; data-parallel training needs MPI_THREAD_FUNNELED ({MpiLibrary.ThreadFunneled}) or higher.");
            }
        }

        return new MpiProcessGroup(mpi, ownsInitialization: initialized == 0, bucketElements);
    }

    /// <inheritdoc />
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        Collective(tensor, "MPI_Bcast", (pointer, count, datatype) => _mpi.Bcast(pointer, count, datatype, root, _mpi.CommWorld));
    }

    /// <inheritdoc />
    public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
    {
        var op = operation == ReduceOperation.Max ? _mpi.Max : _mpi.Sum;
        Collective(tensor, "MPI_Allreduce", (pointer, count, datatype) => _mpi.Allreduce(MpiLibrary.InPlace, pointer, count, datatype, op, _mpi.CommWorld));
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier()
    {
        CheckUsable();
        MpiLibrary.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (<c>MPI_Abort</c>); use it when this rank cannot go on.</summary>
    public void Abort(int exitCode)
    {
        _finished = true;
        _mpi.Abort(_mpi.CommWorld, exitCode);
    }

    /// <summary>Finalises MPI if <see cref="Join"/> initialised it; waits for every rank to do the same.</summary>
    public void Dispose()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (_ownsInitialization && _mpi.Finalized(out var finalized) == 0 && finalized == 0)
        {
            MpiLibrary.Check(_mpi.Finalize(), "MPI_Finalize");
        }
    }

    private delegate int Call(IntPtr pointer, int count, IntPtr datatype);

    private void Collective(Tensor tensor, string name, Call call)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckUsable();
        var (datatype, elementSize) = tensor.dtype switch
        {
            ScalarType.Float32 => (_mpi.Float, 4),
            ScalarType.Float64 => (_mpi.Double, 8),
            ScalarType.Int64 => (_mpi.Int64, 8),
            _ => throw new ArgumentException($"Expected a float32, float64 or int64 tensor for {name}; got {tensor.dtype}.", nameof(tensor)),
        };

        using var scope = NewDisposeScope();
        var onHost = tensor.device_type == DeviceType.CPU && tensor.is_contiguous();
        var host = onHost ? tensor : tensor.cpu().contiguous();
        var start = DataPointer(host) + (nint)(host.storage_offset() * elementSize);
        for (long first = 0; first < host.numel(); first += _bucketElements)
        {
            var count = (int)Math.Min(_bucketElements, host.numel() - first);
            MpiLibrary.Check(call(start + (nint)(first * elementSize), count, datatype), name);
        }

        if (!onHost)
        {
            using (no_grad())
            {
                tensor.copy_(host);
            }
        }
    }

    private static IntPtr DataPointer(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => tensor.storage<float>().data_ptr(),
        ScalarType.Float64 => tensor.storage<double>().data_ptr(),
        _ => tensor.storage<long>().data_ptr(),
    };

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (Environment.CurrentManagedThreadId != _thread)
        {
            throw new InvalidOperationException("MPI was initialised with MPI_THREAD_FUNNELED: call the process group only from the thread that joined it.");
        }
    }
}
