using System.Collections.Frozen;

namespace Understudy.Traffic;

/// <summary>
/// When each member last sent clients something through the proxy (a monotonic timestamp). A member answering its
/// clients is not hung, whatever a check that timed out meanwhile says: under a reconnect storm it is busy, and
/// failing it over would move the storm to the standby and lose nothing but availability.
/// </summary>
public sealed class MemberProgress(IEnumerable<string> members)
{
    private readonly FrozenDictionary<string, Last> _last = members.ToFrozenDictionary(m => m, _ => new Last());

    public void Answered(string member, long now)
    {
        if (_last.TryGetValue(member, out Last? last)) Volatile.Write(ref last.At, now);
    }

    /// <summary>Whether <paramref name="member"/> sent clients bytes at or after <paramref name="since"/>.</summary>
    public bool AnsweredSince(string member, long since) =>
        _last.TryGetValue(member, out Last? last) && Volatile.Read(ref last.At) is var at && at != 0 && at >= since;

    private sealed class Last
    {
        public long At;
    }
}
