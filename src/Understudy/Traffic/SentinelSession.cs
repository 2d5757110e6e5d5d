using System.Globalization;
using System.Text;
using Understudy.Core.Topology;

namespace Understudy.Traffic;

/// <summary>
/// One client connection to a Sentinel listener: answers each request as Redis Sentinel 7 does, in RESP2, for
/// the one master it knows, and in pub/sub mode announces <c>+switch-master</c>. Pure logic, no I/O: the listener
/// hands in requests and the current view, and sends what is written.
/// </summary>
internal sealed partial class SentinelSession(SentinelRoutes routes, string runId, long clientId)
{
    /// <summary>The Redis version INFO and HELLO report: clients pick commands by it (<c>SENTINEL replicas</c> from 5.0 on).</summary>
    public const string RedisVersion = "7.0.0";

    /// <summary>The one channel Understudy publishes on.</summary>
    public const string SwitchMaster = "+switch-master";

    private readonly HashSet<string> _channels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _patterns = new(StringComparer.Ordinal);
    private HostPort? _announced;
    private string? _clientName;

    private SentinelSpec Spec => routes.Spec;

    /// <summary>In pub/sub mode: only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET are answered.</summary>
    public bool Subscribed => _channels.Count + _patterns.Count > 0;

    /// <summary>QUIT was asked: the connection closes once the reply is sent.</summary>
    public bool Quitting { get; private set; }

    public void Handle(string[] words, SentinelView view, RespWriter w)
    {
        if (words.Length == 0) return; // Redis ignores an empty request
        string command = words[0].ToLowerInvariant();
        if (Subscribed && command is not ("subscribe" or "psubscribe" or "unsubscribe" or "punsubscribe" or "ping" or "quit" or "reset"))
        {
            w.Error($"ERR Can't execute '{command}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        switch (command)
        {
            case "ping": Ping(words, w); break;
            case "echo" when words.Length == 2: w.Bulk(words[1]); break;
            case "echo": WrongArity(command, w); break;
            case "quit":
                Quitting = true;
                w.Simple("OK");
                break;
            case "reset":
                (_clientName, _announced) = (null, null);
                _channels.Clear();
                _patterns.Clear();
                w.Simple("RESET");
                break;
            case "hello": Hello(words, w); break;
            case "auth":
                w.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
                break;
            case "client": Client(words, w); break;
            case "role":
                w.Array(2);
                w.Bulk("sentinel");
                w.Bulks([Spec.Name]);
                break;
            case "info": w.Bulk(Info(words.Length > 1 ? words[1].ToLowerInvariant() : "default", view)); break;
            // Clients ask for the command table or configuration on connect; an empty one says "nothing to learn here".
            case "command" when words.Length == 2 && words[1].Equals("count", StringComparison.OrdinalIgnoreCase): w.Integer(0); break;
            case "command": w.Array(0); break;
            case "config" when words.Length >= 2 && words[1].Equals("get", StringComparison.OrdinalIgnoreCase): w.Array(0); break;
            case "sentinel": Sentinel(words, view, w); break;
            case "subscribe" or "psubscribe": Subscribe(words, command, view, w); break;
            case "unsubscribe" or "punsubscribe": Unsubscribe(words, command, w); break;
            default: Unknown(words, w); break;
        }
    }

    private void Ping(string[] words, RespWriter w)
    {
        if (words.Length > 2) WrongArity(words[0], w);
        // In pub/sub mode RESP2 answers PING with a push-like array, as Redis does.
        else if (Subscribed) w.Bulks(["pong", words.Length == 2 ? words[1] : ""]);
        else if (words.Length == 2) w.Bulk(words[1]);
        else w.Simple("PONG");
    }

    // HELLO 3 is refused the way a server without RESP3 refuses it; clients (StackExchange.Redis, redis-py) then stay on RESP2.
    private void Hello(string[] words, RespWriter w)
    {
        if (words.Length > 1 && words[1] != "2")
        {
            w.Error(words[1] == "3" ? "NOPROTO this Sentinel speaks RESP2 only" : "NOPROTO unsupported protocol version");
            return;
        }
        for (int i = 2; i < words.Length; i++)
            if (words[i].Equals("setname", StringComparison.OrdinalIgnoreCase) && i + 1 < words.Length) _clientName = words[++i];
            else if (words[i].Equals("auth", StringComparison.OrdinalIgnoreCase)) i += 2;
        w.Array(14);
        foreach (string s in (string[])["server", "redis", "version", RedisVersion, "proto"]) w.Bulk(s);
        w.Integer(2);
        w.Bulk("id");
        w.Integer(clientId);
        foreach (string s in (string[])["mode", "sentinel", "role", "master", "modules"]) w.Bulk(s);
        w.Array(0);
    }

    private void Client(string[] words, RespWriter w)
    {
        string sub = words.Length > 1 ? words[1].ToLowerInvariant() : "";
        switch (sub)
        {
            case "setname" when words.Length == 3:
                _clientName = words[2].Length == 0 ? null : words[2];
                w.Simple("OK");
                break;
            case "setinfo" when words.Length == 4: w.Simple("OK"); break;
            case "getname": w.Bulk(_clientName); break;
            case "id": w.Integer(clientId); break;
            default: w.Error($"ERR unknown subcommand or wrong number of arguments for 'client|{sub}' command"); break;
        }
    }

    private void Sentinel(string[] words, SentinelView view, RespWriter w)
    {
        string sub = words.Length > 1 ? words[1].ToLowerInvariant() : "";
        string? name = words.Length > 2 ? words[2] : null;
        bool known = name == Spec.Name;
        switch (sub)
        {
            case "get-master-addr-by-name" when words.Length == 3:
                if (known && view.Primary is { } p) w.Bulks([p.Host, p.Port.ToString(CultureInfo.InvariantCulture)]);
                else w.NullArray();
                break;
            case "master" when words.Length == 3:
                if (known) w.Bulks(Master(view));
                else NoSuchMaster(w);
                break;
            case "masters" when words.Length == 2:
                w.Array(1);
                w.Bulks(Master(view));
                break;
            case ("replicas" or "slaves") when words.Length == 3:
                if (!known)
                {
                    NoSuchMaster(w);
                    break;
                }
                w.Array(view.Replicas.Count);
                foreach (SentinelReplica r in view.Replicas) w.Bulks(Replica(r, view));
                break;
            case "sentinels" when words.Length == 3:
                if (known) w.Array(0);
                else NoSuchMaster(w);
                break;
            case "myid" when words.Length == 2: w.Bulk(runId); break;
            case "ckquorum" when words.Length == 3:
                if (known) w.Simple("OK 1 usable Sentinels. Quorum and failover authorization can be reached");
                else NoSuchMaster(w);
                break;
            case "failover":
                w.Error($"ERR Understudy decides failovers: use 'understudy switchover {routes.Service.Name}' (or its API)");
                break;
            case "":
                WrongArity("sentinel", w);
                break;
            default:
                w.Error($"ERR unknown subcommand or wrong number of arguments for '{sub}'. Understudy's Sentinel answers get-master-addr-by-name, master, masters, replicas, slaves, sentinels, myid, ckquorum");
                break;
        }
    }

    private static void NoSuchMaster(RespWriter w) => w.Error("ERR No such master with that name");

    // The fields Redis Sentinel lists first, in its order; what Understudy has no counterpart for is left out.
    private List<string> Master(SentinelView view)
    {
        HostPort? at = view.Primary ?? view.LastPrimary;
        CheckSpec check = routes.Service.Check;
        return
        [
            "name", Spec.Name,
            "ip", at?.Host ?? "",
            "port", at?.Port.ToString(CultureInfo.InvariantCulture) ?? "0",
            "runid", "",
            "flags", view.Primary is null ? "master,o_down" : "master",
            "link-pending-commands", "0",
            "link-refcount", "1",
            "down-after-milliseconds", Millis(check.Interval * check.Fall),
            "role-reported", "master",
            "config-epoch", view.Epoch.ToString(CultureInfo.InvariantCulture),
            "num-slaves", view.Replicas.Count.ToString(CultureInfo.InvariantCulture),
            "num-other-sentinels", "0",
            "quorum", "1",
            "parallel-syncs", "1",
        ];
    }

    private static List<string> Replica(SentinelReplica r, SentinelView view)
    {
        HostPort? master = view.Primary ?? view.LastPrimary;
        return
        [
            "name", r.Address.ToString(),
            "ip", r.Address.Host,
            "port", r.Address.Port.ToString(CultureInfo.InvariantCulture),
            "runid", "",
            "flags", r.Down ? "slave,s_down" : "slave",
            "role-reported", "slave",
            "master-link-status", r.Down ? "err" : "ok",
            "master-host", master?.Host ?? "?",
            "master-port", master?.Port.ToString(CultureInfo.InvariantCulture) ?? "0",
            "slave-priority", "100",
        ];
    }

    private static string Millis(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private string Info(string section, SentinelView view)
    {
        bool all = section is "default" or "all" or "everything";
        var text = new StringBuilder();
        if (all || section == "server")
        {
            text.Append("# Server\r\n")
                .Append($"redis_version:{RedisVersion}\r\n")
                .Append("redis_mode:sentinel\r\n")
                .Append($"understudy_version:{Hosting.Controller.Version}\r\n")
                .Append(CultureInfo.InvariantCulture, $"process_id:{Environment.ProcessId}\r\n")
                .Append($"run_id:{runId}\r\n")
                .Append(CultureInfo.InvariantCulture, $"tcp_port:{Spec.Listen.Port}\r\n");
        }
        if (all || section == "sentinel")
        {
            if (text.Length > 0) text.Append("\r\n");
            HostPort? at = view.Primary ?? view.LastPrimary;
            text.Append("# Sentinel\r\n")
                .Append("sentinel_masters:1\r\n")
                .Append("sentinel_tilt:0\r\n")
                .Append("sentinel_running_scripts:0\r\n")
                .Append("sentinel_scripts_queue_length:0\r\n")
                .Append(CultureInfo.InvariantCulture,
                    $"master0:name={Spec.Name},status={(view.Primary is null ? "odown" : "ok")},address={at?.ToString() ?? ""},slaves={view.Replicas.Count},sentinels=1\r\n");
        }
        return text.ToString();
    }

    private static void WrongArity(string command, RespWriter w) => w.Error($"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command");

    private static void Unknown(string[] words, RespWriter w)
    {
        string args = string.Join(' ', words.Skip(1).Take(4).Select(a => $"'{(a.Length > 40 ? a[..40] : a)}'"));
        w.Error($"ERR unknown command '{(words[0].Length > 40 ? words[0][..40] : words[0])}', with args beginning with: {args}");
    }
}
