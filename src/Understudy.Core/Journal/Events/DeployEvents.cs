using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>
/// A deploy watch (<c>understudy watch SERVICE --after-deploy</c>) saw its health gate breached and ran the team's
/// rollback command. <paramref name="Breach"/> is the rule that broke, in one sentence; <paramref name="Command"/> the
/// rollback's argv as run; <paramref name="Outcome"/> how it ended ("exited 0 after 120 ms", "killed at its 600 s timeout").
/// </summary>
public sealed record DeployRolledBack(string Breach, ImmutableArray<string> Command, bool Succeeded, int? ExitCode, string Outcome) : JournalEvent, IInformational;
