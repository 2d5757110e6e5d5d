using System.Collections.Frozen;

namespace Understudy.Traffic;

/// <summary>
/// When each member last sent clients something through the proxy (a monotonic timestamp). A member answering its
/// clients is not hung, whatever a check that timed out meanwhile says: under a reconnect storm it is busy, and
/// failing it over would move the storm to the standby and lose nothing but availability.
/// </summary>
public sealed class MemberProgress(IEnumerable<string> members)
{
    private volatile FrozenDictionary<string, Last> _last = members.ToFrozenDictionary(m => m, _ => new Last());

    /// <summary>A reload added members: they are tracked too; the others keep what they had.</summary>
    public void Include(IEnumerable<string> members)
    {
        FrozenDictionary<string, Last> known = _last;
        _last = known.Concat(members.Where(m => !known.ContainsKey(m)).Select(m => KeyValuePair.Create(m, new Last()))).ToFrozenDictionary();
    }

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
