using Understudy.Api;
using Understudy.Cli;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Cli;

public class RequestsCommandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    internal static RequestView Request(string id = "r-1", string state = "awaiting_approval", string[]? approvedBy = null, string? rejectedBy = null, int needed = 2) =>
        new(id, "web", "switchover", "web-a", "web-b", "kernel update", "carol", T0, T0.AddMinutes(15), needed,
            approvedBy ?? [], rejectedBy, state, "waiting for approvals", T0.AddMinutes(1));

    private static string RowOf(string text, string id) => text.Split('\n').Single(l => l.Contains($" {id} ", StringComparison.Ordinal));

    [Fact]
    public void Table_AwaitingApproval_ShowsApproversSoFarAndTheDeadline()
    {
        string row = RowOf(ConsoleText.Of(RequestsCommand.Table([Request(approvedBy: ["alice"])])), "r-1");

        Assert.Matches(@"r-1\s+│\s+web\s+│\s+switchover\s+│\s+web-a → web-b\s+│\s+carol\s+│\s+1/2 alice\s+│\s+awaiting_approval\s+│\s+expires 2026-11-22 12:15:00", row);
    }

    [Fact]
    public void Table_Finished_ShowsWhoRejectedAndWhenItLastChanged()
    {
        string row = RowOf(ConsoleText.Of(RequestsCommand.Table([Request("r-2", "rejected", rejectedBy: "bob", needed: 0)])), "r-2");

        Assert.Matches(@"│\s+none needed\s+│\s+rejected by bob\s+│\s+updated 2026-11-22 12:01:00", row);
    }

    [Fact]
    public void Table_NamesWithMarkup_AreShownAsWritten() =>
        Assert.Contains("[ops]", ConsoleText.Of(RequestsCommand.Table([Request() with { RequestedBy = "[ops]" }])));

    [Fact]
    public void Line_Request_SaysWhatWhereStateApprovalsAndDetail() =>
        Assert.Equal("r-1: switchover of web, web-a → web-b: awaiting_approval, approvals 1/2 alice (waiting for approvals)",
            RequestsCommand.Line(Request(approvedBy: ["alice"])));
}
