using Understudy.Core.Journal;

namespace Understudy.Api.Auth;

/// <summary>Failed sign-ins and the requests refused for them since the window opened, by client, until the window is taken whole.</summary>
public sealed class SignInTally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private int _count, _limited;
    private DateTimeOffset? _since;

    /// <summary>Counts one failure; true when it opened the window.</summary>
    public bool Failed(string client, DateTimeOffset now)
    {
        lock (_gate)
        {
            _count++;
            _failures[client] = _failures.GetValueOrDefault(client) + 1;
            return Open(now);
        }
    }

    /// <summary>Counts one request refused (429); true when it opened the window.</summary>
    public bool Limited(DateTimeOffset now)
    {
        lock (_gate)
        {
            _limited++;
            return Open(now);
        }
    }

    /// <summary>The window's record, ending now, and a new window; null when nothing was counted.</summary>
    public ApiAuthFailed? Take(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_since is not { } since) return null;
            var clients = _failures.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
            string from = string.Join(", ", clients.Take(3).Select(c => $"{c.Key} ({c.Value})")) + (clients.Count > 3 ? $" and {clients.Count - 3} more" : "");
            var record = new ApiAuthFailed(_count, _limited, [.. clients.Take(ApiAuthFailed.MaxClients).Select(c => c.Key)], clients.Count, since)
            {
                Time = now,
                Reason = $"{_count} failed sign-in{(_count == 1 ? "" : "s")} to the API since {since:HH:mm:ss}"
                    + (clients.Count > 0 ? $" from {from}" : "") + (_limited > 0 ? $"; {_limited} request{(_limited == 1 ? "" : "s")} refused (429) meanwhile" : ""),
            };
            (_count, _limited, _since) = (0, 0, null);
            _failures.Clear();
            return record;
        }
    }

    private bool Open(DateTimeOffset now)
    {
        if (_since is not null) return false;
        _since = now;
        return true;
    }
}
