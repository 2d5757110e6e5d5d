using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Understudy.Core.Topology;

/// <summary>A TCP address as written in config: <c>host:port</c>.</summary>
public readonly record struct HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>127.0.0.0/8, ::1 or localhost: reachable from this machine only.</summary>
    public bool IsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>Parses <c>host:port</c> or <c>[v6]:port</c>; the port must be 1–65535.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HostPort? value, out string whyNot)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) { whyNot = "expected host:port, got an empty value"; return false; }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) { whyNot = $"expected host:port (e.g. 127.0.0.1:8080), got '{text}'"; return false; }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) { whyNot = $"write an IPv6 address in brackets, e.g. [::1]:8080, got '{text}'"; return false; }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        { whyNot = $"port must be a number from 1 to 65535, got '{text[(colon + 1)..]}'"; return false; }
        if (host.Any(char.IsWhiteSpace)) { whyNot = $"host must not contain spaces, got '{host}'"; return false; }
        value = new HostPort(host, port);
        whyNot = "";
        return true;
    }
}
