using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>
/// Failed sign-ins to the API (a token that is none of <c>controller.auth.tokens</c>) from <paramref name="Since"/> to
/// the event's time, counted together so that guessing tokens cannot fill the journal: one record per window at most.
/// </summary>
/// <param name="Count">Failed sign-ins in the window.</param>
/// <param name="Limited">Requests refused (429) in the window because their client had used up its failures.</param>
/// <param name="Clients">The client addresses, most failures first, at most <see cref="MaxClients"/>.</param>
/// <param name="ClientCount">How many addresses in all.</param>
public sealed record ApiAuthFailed(int Count, int Limited, ImmutableArray<string> Clients, int ClientCount, DateTimeOffset Since) : JournalEvent, IInformational
{
    public const int MaxClients = 10;
}
