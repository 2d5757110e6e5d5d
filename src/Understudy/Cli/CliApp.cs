using System.CommandLine;

namespace Understudy.Cli;

/// <summary>The command tree. Exit codes: 0 ok, 1 failed at run time, 2 bad input (config, arguments).</summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("Understudy: health checks, safe automatic failover through a built-in proxy, and a journal of every step.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(IncidentCommand.Create());
        root.Subcommands.Add(SampleAppCommand.Create());
        root.Subcommands.Add(RequestCommands.Switchover());
        root.Subcommands.Add(RequestCommands.Failover());
        root.Subcommands.Add(ApprovalCommands.Approve());
        root.Subcommands.Add(ApprovalCommands.Reject());
        root.Subcommands.Add(RequestsCommand.Create());
        root.Subcommands.Add(PauseCommands.Pause());
        root.Subcommands.Add(PauseCommands.Resume());
        root.Subcommands.Add(RejoinCommand.Create());
        root.Subcommands.Add(ReloadCommand.Create());
        root.Subcommands.Add(GuardCommand.Create());
        root.Subcommands.Add(RunbookCommand.Create());
        root.Subcommands.Add(DrillCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }
}
