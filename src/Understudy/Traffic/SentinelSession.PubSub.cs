using System.IO.Enumeration;
using Understudy.Core.Topology;

namespace Understudy.Traffic;

/// <summary>A Sentinel session's pub/sub mode: (un)subscribing to channels and patterns, and announcing <c>+switch-master</c>.</summary>
internal sealed partial class SentinelSession
{
    /// <summary>
    /// In pub/sub mode with answer: member, writes <c>+switch-master</c> when the routable member is another than the one
    /// last announced on this connection; returns whether it wrote. With answer: proxy the address never changes, so nothing is said.
    /// </summary>
    public bool Announce(SentinelView view, RespWriter w)
    {
        if (!Subscribed || Spec.Answer != SentinelAnswer.Member || view.Primary is not { } now) return false;
        if (_announced is not { } old || old == now)
        {
            _announced = now;
            return false;
        }
        _announced = now;
        string message = $"{Spec.Name} {old.Host} {old.Port} {now.Host} {now.Port}";
        if (_channels.Contains(SwitchMaster)) w.Bulks(["message", SwitchMaster, message]);
        foreach (string pattern in _patterns.Where(p => Matches(p, SwitchMaster))) w.Bulks(["pmessage", pattern, SwitchMaster, message]);
        return true;
    }

    private void Subscribe(string[] words, string command, SentinelView view, RespWriter w)
    {
        if (words.Length < 2)
        {
            WrongArity(command, w);
            return;
        }
        HashSet<string> set = command == "subscribe" ? _channels : _patterns;
        if (!Subscribed) _announced = view.Primary ?? view.LastPrimary;
        foreach (string channel in words.Skip(1))
        {
            set.Add(channel);
            w.Array(3);
            w.Bulk(command);
            w.Bulk(channel);
            w.Integer(_channels.Count + _patterns.Count);
        }
    }

    private void Unsubscribe(string[] words, string command, RespWriter w)
    {
        HashSet<string> set = command == "unsubscribe" ? _channels : _patterns;
        List<string> leaving = words.Length > 1 ? [.. words.Skip(1)] : [.. set];
        if (leaving.Count == 0)
        {
            w.Array(3);
            w.Bulk(command);
            w.Bulk(null);
            w.Integer(_channels.Count + _patterns.Count);
            return;
        }
        foreach (string channel in leaving)
        {
            set.Remove(channel);
            w.Array(3);
            w.Bulk(command);
            w.Bulk(channel);
            w.Integer(_channels.Count + _patterns.Count);
        }
    }

    // Redis's glob patterns; brackets are not supported (a Sentinel client subscribes to '*' or a channel name).
    private static bool Matches(string pattern, string channel) => FileSystemName.MatchesSimpleExpression(pattern, channel, ignoreCase: false);
}
