using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>
/// One PostgreSQL 15 server in a folder of a <see cref="PgCluster"/>: started and stopped with <c>pg_ctl</c> as
/// postgres, and hurt by signals to its processes, which are known by PID (never by name: other tests' and
/// other people's postgres may run on the same machine).
/// </summary>
public sealed partial class PgServer
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90), StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly string Postgres = PgTools.Path("postgres");

    internal PgServer(string name, string folder, int port)
    {
        Name = name;
        Port = port;
        SocketDir = folder;
        DataDir = System.IO.Path.Combine(folder, name);
        LogFile = System.IO.Path.Combine(folder, $"{name}.log");
    }

    /// <summary>pg1, pg2 …; also its cluster_name and the application_name a standby streams under.</summary>
    public string Name { get; }
    public int Port { get; }
    public string DataDir { get; }
    /// <summary>The cluster's folder: sockets are named by port, so servers share it.</summary>
    public string SocketDir { get; }
    public string LogFile { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    /// <summary>The postmaster's PID from <c>postmaster.pid</c> as of the last start; 0 before that.</summary>
    public int Pid { get; private set; }

    /// <summary>The postmaster is alive and still this server's (a PID can be reused once it is gone).</summary>
    public bool IsRunning => Pid > 0 && Owns(Pid);

    /// <summary>
    /// After something else restarted this server (the controller's rejoin), follow its new postmaster:
    /// the pid in postmaster.pid, accepted only if it is this data directory's postgres.
    /// </summary>
    public void Adopt()
    {
        string file = System.IO.Path.Combine(DataDir, "postmaster.pid");
        if (File.Exists(file) && int.TryParse(File.ReadLines(file).First(), out int pid) && Owns(pid)) Pid = pid;
        else throw new InvalidOperationException($"{Name} is not running (no live postmaster for {DataDir})");
    }

    /// <summary><c>pg_ctl start -w</c>: returns once the server accepts connections (after crash recovery, if it was killed).</summary>
    public async Task StartAsync()
    {
        // After a kill, the orphaned children exit on their own within moments, but until then they hold the old
        // shared memory; and postgres takes a zombie postmaster in postmaster.pid for a live one ("lock file already
        // exists"), while this machine's PID 1 reaps orphans only every 2 s or so. Either makes a start fail.
        if (Pid > 0 && !IsRunning)
            await Eventually.TrueAsync(() => Processes().Count == 0 && ProcFs.State(Pid) != 'Z', $"{Name}'s old processes to be gone", TimeSpan.FromSeconds(15));
        await WithLogAsync(() => PgTools.RunAsync(SocketDir, StartTimeout, "pg_ctl", "start", "-w", "-t", "60", "-D", DataDir, "-l", LogFile));
        // runuser and pg_ctl fork: the file is the only place the postmaster's PID is written down.
        Pid = int.Parse(File.ReadLines(System.IO.Path.Combine(DataDir, "postmaster.pid")).First());
    }

    /// <summary>
    /// <c>pg_ctl stop -m fast</c> (or <paramref name="mode"/>), then SIGKILL for whatever of this server is still alive,
    /// orphans of a killed postmaster included; then the shared memory an unclean death left behind.
    /// </summary>
    public async Task StopAsync(string mode = "fast")
    {
        // A frozen process would hold up a clean shutdown until pg_ctl gives up.
        foreach (int pid in Processes()) Signals.TrySend(pid, Signals.Cont);
        if (IsRunning)
        {
            try { await PgTools.RunAsync(SocketDir, StopTimeout, "pg_ctl", "stop", "-m", mode, "-w", "-t", "20", "-D", DataDir); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { /* SIGKILL below */ }
        }
        foreach (int pid in Processes()) Signals.TrySend(pid, Signals.Kill);
        await Eventually.TrueAsync(() => Processes().Count == 0, $"{Name}'s processes to exit", TimeSpan.FromSeconds(10));
        // A clean exit removes postmaster.pid and its segments; after a kill both stay.
        if (Pid > 0 && File.Exists(System.IO.Path.Combine(DataDir, "postmaster.pid")) && PgIpc.SysVId(DataDir) is { } shmid)
        {
            // The last detach can trail the process's death by a moment (its memory is torn down after it shows as dead).
            await Eventually.TrueAsync(() => PgIpc.Attachments(shmid) is null or 0, $"{Name}'s shared memory segment {shmid} to have no process attached",
                TimeSpan.FromSeconds(10));
            PgIpc.CleanUp(DataDir, Pid);
        }
    }

    /// <summary>SIGKILL of the postmaster only: its children notice on their own and exit (PostgreSQL crashes, its host stays up).</summary>
    public void Kill() => Signal(Pid, Signals.Kill);

    /// <summary>
    /// A host crash: SIGSTOP the postmaster (so it neither forks nor reacts), then every process of the server,
    /// then SIGKILL them all; nothing of it answers or writes after this instant. Returns the PIDs it killed.
    /// </summary>
    public IReadOnlyList<int> CrashHost()
    {
        Signal(Pid, Signals.Stop);
        var stopped = new List<int> { Pid };
        for (bool more = true; more;)
        {
            var found = Children().Concat(Processes()).Where(p => !stopped.Contains(p)).ToList();
            foreach (int pid in found) Signals.TrySend(pid, Signals.Stop);
            stopped.AddRange(found);
            more = found.Count > 0; // look again: one may have been forked before the postmaster stopped
        }
        foreach (int pid in stopped) Signals.TrySend(pid, Signals.Kill);
        return stopped;
    }

    /// <summary>SIGSTOP of one of this server's processes (e.g. <see cref="WalReceiverPid"/>): alive, holding its connections, doing nothing.</summary>
    public void Freeze(int pid) => Signal(pid, Signals.Stop);

    public void Thaw(int pid) => Signal(pid, Signals.Cont);

    /// <summary>The standby's walreceiver, by its process title; null while it has none (not yet, or reconnecting).</summary>
    public int? WalReceiverPid()
    {
        foreach (int pid in Children())
            if (ProcFs.CommandLine(pid) is { } title && title.Contains(" walreceiver", StringComparison.Ordinal)) return pid;
        return null;
    }

    /// <summary>Waits for the standby's walreceiver (it starts a moment after the postmaster, and again after each lost connection).</summary>
    public async Task<int> WalReceiverAsync()
    {
        int? pid = null;
        await Eventually.TrueAsync(() => (pid = WalReceiverPid()) is not null, $"{Name}'s walreceiver");
        return pid!.Value;
    }

    /// <summary>The postmaster's direct children (checkpointer, walsenders, backends …).</summary>
    public IReadOnlyList<int> Children() => IsRunning ? ProcFs.Children(Pid) : [];

    /// <summary>Every live process of this server: postgres chdirs into its data folder, so orphans of a killed postmaster count too.</summary>
    public IReadOnlyList<int> Processes() =>
        [.. ProcFs.Running(Postgres, DataDir).Concat(IsRunning ? [Pid] : []).Distinct()];

    private bool Owns(int pid) => ProcFs.Runs(pid, Postgres, DataDir);

    private void Signal(int pid, int signal)
    {
        if (!Owns(pid)) throw new InvalidOperationException($"{pid} is not a running process of {Name}");
        Signals.TrySend(pid, signal);
    }

    /// <summary>The last lines of the server's log, for failure messages.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e) { return $"(no log: {e.Message})"; }
    }

    internal async Task WithLogAsync(Func<Task> action)
    {
        try { await action(); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{Name}: {e.Message}\n--- {LogFile} ---\n{LogTail()}", e);
        }
    }
}
