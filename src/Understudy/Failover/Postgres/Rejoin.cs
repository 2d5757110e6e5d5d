using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Topology;

namespace Understudy.Failover.Postgres;

/// <summary>
/// Turns an old primary into a streaming standby of the current one: the configured rejoin command, or
/// the built-in one for a local data_dir — stop it, <c>pg_rewind --write-recovery-conf</c> from the new
/// primary (its own name as application_name, so synchronous_standby_names can name it), start it. Runs
/// the PostgreSQL tools as the postgres user when the controller runs as root (PostgreSQL refuses root).
/// </summary>
public sealed class Rejoin(ServiceSpec service, CommandRunner commands)
{
    /// <summary>Configuration kept in the data directory by some layouts (not Debian's /etc/postgresql); postgresql.auto.conf is the source's plus -R's primary_conninfo.</summary>
    private static readonly string[] OwnConfig = ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"];

    public async Task<(bool Ok, string Detail)> RunAsync(string member, string primary, CancellationToken ct)
    {
        PostgresSpec pg = service.Postgres!;
        MemberSpec m = service.Member(member);
        HostPort source = service.Member(primary).Address;
        if (pg.Rejoin is { } template)
        {
            var placeholders = new Dictionary<string, string>
            {
                ["service"] = service.Name, ["member"] = member, ["data_dir"] = m.DataDir ?? "", ["new_primary"] = primary,
                ["primary_host"] = source.Host, ["primary_port"] = source.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            CommandOutcome o = await commands.RunAsync(Failover.Executor.Argv(template, placeholders), template.Timeout, ct);
            return (o.Succeeded, $"rejoin command {o.Summary}: {Tail(o.Output)}");
        }
        if (m.DataDir is not { } path) return (false, $"{member} has no data_dir and the service no postgres.rejoin command: rejoin it by hand");

        var dir = new PgDataDir(path, commands);
        string data = dir.Path;
        // The password, if any, goes through PGPASSWORD: never on a command line, never into postgresql.auto.conf.
        string conninfo = PgConnections.ConnInfo(source, pg.User, pg.Database, member);
        var steps = new List<string>();
        // Stopping a server that is not running fails harmlessly; pg_rewind then recovers a crashed one itself.
        CommandOutcome stop = await dir.StopAsync(ct);
        steps.Add($"pg_ctl stop {stop.Summary}");
        // pg_rewind copies the source's configuration files too (its port, its socket folder): keep ours.
        string[] own = [.. OwnConfig.Where(f => File.Exists(Path.Combine(data, f)))];
        string keep = Path.Combine(Path.GetTempPath(), $"understudy-rejoin-{member}-{Guid.NewGuid():N}");
        await dir.RunAsync(["mkdir", "-m", "700", keep], ct);
        if (own.Length > 0) await dir.RunAsync(["cp", "-p", .. own.Select(f => Path.Combine(data, f)), keep], ct);
        CommandOutcome rewind = await dir.RunAsync([dir.Tool("pg_rewind"), $"--target-pgdata={data}", $"--source-server={conninfo}", "--write-recovery-conf"], ct,
            pg.Password is { } password ? new Dictionary<string, string> { ["PGPASSWORD"] = password } : null);
        steps.Add($"pg_rewind {rewind.Summary}");
        if (own.Length > 0) await dir.RunAsync(["cp", "-p", .. own.Select(f => Path.Combine(keep, f)), data], ct);
        await dir.RunAsync(["rm", "-rf", keep], ct);
        if (!rewind.Succeeded) return (false, string.Join("; ", steps) + $": {Tail(rewind.Output)}");
        CommandOutcome start = await dir.StartAsync(ct);
        steps.Add($"pg_ctl start {start.Summary}");
        return (start.Succeeded, string.Join("; ", steps) + (start.Succeeded ? "" : $": {Tail(start.Output)}"));
    }

    private static string Tail(string output) => PgDataDir.Tail(output);
}
