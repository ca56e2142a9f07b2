using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Unetr.Tests.Cluster;

/// <summary>
/// A real Slurm cluster of one node, this machine, private to one test: its own munge daemon (own key and socket), its
/// own <c>slurmctld</c> and <c>slurmd</c> on free ports, with configuration, state, spool, logs and PID files in a
/// temporary folder. Client commands (<see cref="Run"/>) find it through <c>SLURM_CONF</c>. Disposing cancels the jobs
/// it submitted, stops exactly the three daemons it started (by PID) and deletes the folder.
/// </summary>
/// <remarks>Needs root (the daemons run as root, <c>SlurmUser=root</c>) and the Debian packages slurmctld, slurmd,
/// slurm-client and munge; without them <see cref="Start"/> fails saying so.</remarks>
internal sealed class SingleNodeSlurm : IDisposable
{
    private static readonly TimeSpan NodeLimit = TimeSpan.FromSeconds(90);
    private static readonly string[] Daemons = { "munged", "slurmctld", "slurmd" };
    private static readonly string[] Clients = { "sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel" };

    private readonly string _directory;
    private readonly List<(string Name, Process Process, StringBuilder Output)> _daemons = new();
    private readonly List<string> _jobs = new();

    private SingleNodeSlurm(string directory, string node)
    {
        _directory = directory;
        Node = node;
    }

    /// <summary>The node's name: this machine's short host name, as <c>slurmd</c> finds it.</summary>
    public string Node { get; }

    /// <summary>The cluster's <c>slurm.conf</c>.</summary>
    public string Configuration => Path.Combine(_directory, "slurm.conf");

    /// <summary>Starts munge, the controller and the node daemon, and returns once <c>sinfo</c> shows the node idle.</summary>
    /// <exception cref="InvalidOperationException">Not root, Slurm or munge missing, or the node did not come up (with the daemons' log tails).</exception>
    public static SingleNodeSlurm Start()
    {
        var missing = Daemons.Concat(Clients).Where(name => Executable(name) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"This test runs a real single-node Slurm, but {string.Join(", ", missing)} {(missing.Length == 1 ? "is" : "are")} not installed: as root, apt-get install slurmctld slurmd slurm-client munge (.ci/run does).");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException($"This test runs slurmctld and slurmd as root (SlurmUser=root), but it runs as '{Environment.UserName}': run the tests as root, as CI does.");
        }

        var node = Dns.GetHostName().Split('.')[0];
        var slurm = new SingleNodeSlurm(Directory.CreateTempSubdirectory("unetr-slurm-").FullName, node);
        try
        {
            slurm.Boot();
            return slurm;
        }
        catch
        {
            slurm.Dispose();
            throw;
        }
    }

    /// <summary>Runs the Slurm client <paramref name="command"/> against this cluster; its exit code and both outputs.</summary>
    public (int ExitCode, string Output, string Error) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Executable(command) ?? command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SLURM_CONF"] = Configuration;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{command} {string.Join(" ", args)} did not answer in 60 s.{Logs()}");
        }

        return (process.ExitCode, output, error.Result);
    }

    /// <summary>
    /// Runs <c>srun --mpi=pmix</c> with <paramref name="tasks"/> tasks of one CPU each, so that a job that starts MPI
    /// ranks this way fails here, with the reason, rather than in an array task's log.
    /// </summary>
    /// <exception cref="InvalidOperationException">Slurm's PMIx plugin cannot start tasks (the message says what to install).</exception>
    public void RequirePmix(int tasks)
    {
        var count = tasks.ToString(CultureInfo.InvariantCulture);
        var (exitCode, output, error) = Run("srun", "--mpi=pmix", "--ntasks=" + count, "--cpus-per-task=1", "true");
        if (exitCode != 0)
        {
            // Debian's mpi_pmix plugin loads PMIx by the development name libpmix.so, which only libpmix-dev installs.
            throw new InvalidOperationException(
                $"srun --mpi=pmix --ntasks={count} true exited with {exitCode}: {output}{error}Slurm's mpi_pmix plugin needs the PMIx library under the name "
                + $"libpmix.so: as root, apt-get install libpmix-dev (.ci/run does), then start the cluster again.{Logs()}");
        }
    }

    /// <summary>Submits <paramref name="script"/> with <c>sbatch</c> and returns the job's id.</summary>
    public string Submit(string script)
    {
        var (exitCode, output, error) = Run("sbatch", "--parsable", script);
        var id = output.Trim().Split(';')[0];
        if (exitCode != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException($"sbatch {script} exited with {exitCode}: {output}{error}{Logs()}");
        }

        _jobs.Add(id);
        return id;
    }

    /// <summary>
    /// Waits until job <paramref name="id"/> (every task of an array) has left the queue and returns what <c>scontrol
    /// show job</c> then says of its tasks (state and exit code of each).
    /// </summary>
    /// <exception cref="TimeoutException">Still queued or running after <paramref name="limit"/>; the message has the queue and the logs.</exception>
    public string WaitFor(string id, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (exitCode, output, error) = Run("squeue", "--noheader", "--array", "--jobs", id, "--format", "%i %T %R");
            if (exitCode == 0 && output.Trim().Length == 0)
            {
                return Run("scontrol", "show", "job", id).Output;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Slurm job {id} did not finish in {limit.TotalMinutes:0} min; squeue: {output}{error}{Logs()}");
            }

            Thread.Sleep(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>The last lines of the daemons' logs and of what they printed, for a failure message.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        // munged in the foreground logs to its standard error, which is among what the daemons printed.
        foreach (var log in new[] { "log/slurmctld.log", "log/slurmd.log" })
        {
            var path = Path.Combine(_directory, log);
            var lines = File.Exists(path) ? File.ReadAllLines(path) : new[] { "(no such file)" };
            text.Append("\n--- ").Append(path).Append(" (last 25 lines) ---\n").AppendJoin('\n', lines.TakeLast(25));
        }

        foreach (var (name, process, output) in _daemons)
        {
            lock (output)
            {
                text.Append("\n--- ").Append(name).Append(" (pid ").Append(process.Id).Append(process.HasExited ? $", exited with {process.ExitCode}" : ", running")
                    .Append(") printed ---\n").Append(output);
            }
        }

        return text.ToString();
    }

    public void Dispose()
    {
        foreach (var id in _jobs)
        {
            try
            {
                Run("scancel", id);
            }
            catch (TimeoutException)
            {
                // A controller that no longer answers has no jobs to cancel; stopping the daemons below ends them all.
            }
        }

        // The node first, then the controller, then munge: each is asked to stop (SIGTERM) and killed if it does not.
        foreach (var (_, process, _) in Enumerable.Reverse(_daemons))
        {
            Stop(process);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private void Boot()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("This test runs a single-node Slurm, which needs Linux.");
        }

        // munged wants its socket's folders open to all (it serves every user); the key stays the owner's.
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_directory, open);
        foreach (var folder in new[] { "state", "spool", "log", "run", "munge" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, folder));
        }

        var key = Path.Combine(_directory, "munge", "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var socket = Path.Combine(_directory, "munge", "munge.socket");
        StartDaemon(
            "munged", "--foreground", "--force", "--socket=" + socket, "--key-file=" + key, "--pid-file=" + Path.Combine(_directory, "munge", "munged.pid"),
            "--seed-file=" + Path.Combine(_directory, "munge", "munged.seed"));
        Until(() => File.Exists(socket), "munged created its socket");

        File.WriteAllText(Configuration, ConfigurationText(socket));
        StartDaemon("slurmctld", "-D", "-f", Configuration);
        StartDaemon("slurmd", "-D", "-f", Configuration);
        Until(
            () => Run("sinfo", "--noheader", "--nodes", Node, "--format", "%T").Output.Trim() == "idle",
            $"sinfo shows node {Node} idle");
    }

    private string ConfigurationText(string mungeSocket)
    {
        var (controllerPort, nodePort) = FreePorts();
        string In(string relative) => Path.Combine(_directory, relative);
        return string.Join('\n', new[]
        {
            "# A one-node cluster for one test (SingleNodeSlurm): everything in this folder, ports found free.",
            "ClusterName=unetrtest",
            // The node's address is given, so that the cluster does not depend on the host name resolving.
            $"SlurmctldHost={Node}(127.0.0.1)",
            "SlurmUser=root",
            "SlurmdUser=root",
            string.Create(CultureInfo.InvariantCulture, $"SlurmctldPort={controllerPort}"),
            string.Create(CultureInfo.InvariantCulture, $"SlurmdPort={nodePort}"),
            "AuthType=auth/munge",
            "CredType=cred/munge",
            $"AuthInfo=socket={mungeSocket}",
            $"StateSaveLocation={In("state")}",
            $"SlurmdSpoolDir={In("spool")}",
            $"SlurmctldPidFile={In("run/slurmctld.pid")}",
            $"SlurmdPidFile={In("run/slurmd.pid")}",
            $"SlurmctldLogFile={In("log/slurmctld.log")}",
            $"SlurmdLogFile={In("log/slurmd.log")}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "SchedulerType=sched/backfill",
            "ReturnToService=2",
            // Slurm's own default, as on a site that sets none: ablate.sbatch must name --mpi=pmix itself.
            "MpiDefault=none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            "MailProg=/bin/true",
            string.Create(CultureInfo.InvariantCulture, $"NodeName={Node} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} State=UNKNOWN"),
            $"PartitionName=test Nodes={Node} Default=YES MaxTime=INFINITE State=UP",
            string.Empty,
        });
    }

    private void StartDaemon(string name, params string[] args)
    {
        var start = new ProcessStartInfo(Executable(name)!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SLURM_CONF"] = Configuration;
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, line) =>
        {
            if (line.Data is { } data)
            {
                lock (output)
                {
                    output.AppendLine(data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add((name, process, output));
    }

    private void Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_daemons.FirstOrDefault(d => d.Process.HasExited) is { Process: not null } stopped)
            {
                throw new InvalidOperationException($"{stopped.Name} exited with {stopped.Process.ExitCode} before {what}.{Logs()}");
            }

            if (clock.Elapsed > NodeLimit)
            {
                throw new InvalidOperationException($"Waited {NodeLimit.TotalSeconds:0} s and still not: {what}.{Logs()}");
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(500));
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
            kill.WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }

        process.Dispose();
    }

    /// <summary>Two TCP ports no one listens on, held open together so that they differ.</summary>
    private static (int First, int Second) FreePorts()
    {
        using var first = new TcpListener(IPAddress.Any, 0);
        using var second = new TcpListener(IPAddress.Any, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    /// <summary>The full path of <paramref name="name"/> on PATH or in the sbin folders (daemons live there and root's PATH may lack them).</summary>
    private static string? Executable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/sbin", "/sbin", "/usr/local/sbin" })
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
