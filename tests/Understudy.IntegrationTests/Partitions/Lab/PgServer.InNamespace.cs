using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>The partition suite's addition to <see cref="PgServer"/> (kept beside the suite): starting it inside a host's namespace.</summary>
public sealed partial class PgServer
{
    /// <summary>
    /// <c>ip netns exec NS runuser -u postgres -- pg_ctl start -w</c>: its TCP socket is made in that namespace, its Unix
    /// socket in <see cref="SocketDir"/> as ever. runuser and pg_ctl fork, so the PID comes from postmaster.pid.
    /// </summary>
    internal async Task StartInAsync(LabHost host)
    {
        await WithLogAsync(() => Shell.RunAsync("ip",
            ["netns", "exec", host.Netns, "runuser", "-u", "postgres", "--", PgTools.Path("pg_ctl"), "start", "-w", "-t", "60", "-D", DataDir, "-l", LogFile],
            timeout: TimeSpan.FromSeconds(90), workDir: SocketDir));
        Pid = int.Parse(File.ReadLines(System.IO.Path.Combine(DataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Over the Unix socket, which no partition of the lab's network touches: what the test itself uses.</summary>
    internal string SocketConnectionString => $"Host={SocketDir};Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=5;Command Timeout=10";
}
