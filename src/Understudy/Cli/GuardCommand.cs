using System.CommandLine;
using Understudy.Commands;
using Understudy.Config;
using Understudy.Coordination;
using Understudy.Core.Guard;
using Understudy.Guard;

namespace Understudy.Cli;

internal static class GuardCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "the guard.yaml to use", Required = true };
        var check = new Option<bool>("--check") { Description = "check the file and exit: 0 if valid, 2 with every error" };
        var cmd = new Command("guard",
            "Run beside one member: hold a lease in etcd and stop the member when this host is cut off from etcd and from most instances; "
            + "start it again once the log names it primary of the current epoch.") { config, check };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            GuardConfigResult result = GuardConfigLoader.Load(file.ToString());
            if (!result.Ok)
            {
                foreach (ConfigError e in result.Errors) Console.Error.WriteLine(e.ToString());
                Console.Error.WriteLine($"{file}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
                return CliApp.BadInput;
            }
            GuardSpec spec = result.Spec!;
            if (parse.GetValue(check))
            {
                Console.WriteLine($"{file}: valid (guard of {spec.Member} in {spec.Service}, cluster {spec.Coordination.Cluster})");
                return CliApp.Ok;
            }
            using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; o.UseUtcTimestamp = true; }));
            await using var store = new EtcdStore(spec.Coordination, TimeProvider.System, loggers.CreateLogger<EtcdStore>());
            // PostgreSQL's tools warn from a folder their user cannot enter; "/" is open to every user.
            ISelfFence fence = spec.Postgres is { } pg
                ? new PostgresFence(pg, new CommandRunner("/", TimeProvider.System))
                : new CommandFence(spec.FenceSelf, spec.LiftSelf, new CommandRunner(file.DirectoryName ?? ".", TimeProvider.System));
            try { await new GuardLoop(spec, store, fence, TimeProvider.System, loggers).RunAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { /* stopped by a signal: the lease was revoked */ }
            return CliApp.Ok;
        });
        return cmd;
    }
}
