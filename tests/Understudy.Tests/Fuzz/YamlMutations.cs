using System.Text.RegularExpressions;
using CsCheck;

namespace Understudy.Tests.Fuzz;

/// <summary>
/// Valid YAML files broken the ways hands and tools break them: lines deleted, doubled, swapped or cut short, YAML
/// punctuation and control characters dropped in, values of the wrong type or size under real keys, anchors and
/// aliases (a node can come to hold itself), nesting past the limit. Indices are taken modulo the text's size, so
/// every mutation applies to whatever the earlier ones left.
/// </summary>
internal static partial class YamlMutations
{
    private static readonly string[] Punctuation =
    [
        "[", "]", "{", "}", ":", ",", "-", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "#", "?", "`", "\\", " ", "\t",
        "\0", "\u0001", "\u001b", "\u007f", "\r", "\u0085", "\u2028", "\ufeff", "\ufffd", ": ", "- ", "&a ", "*a", "!!", "---",
    ];

    private static readonly string[] Values =
    [
        "", "~", "null", "[]", "{}", "[a, [b]]", "{ a: 1 }", "{ a: 1, a: 2 }", "[{}]", "-", "- x", "?", ":", "|", ">", "|-", "'", "\"", "'open", "\"open",
        "0", "-1", "+5", "1_000", "0x1F", "0o17", "1e309", "-1e309", "NaN", ".nan", ".inf", "-.inf", "99999999999999999999", "-9223372036854775809",
        "2147483648", "-2147483649", "1.", ".5", "1.2.3",
        "0ms", "1.5s", "-5s", "1e3ms", "5 s", "1h30m", "ms", "s", "99999999999999999999h", "922337203685477.5807ms", "0.0000000001ms", "10d", "1µs",
        "1EB", "0.5MB", "-1kB", "1 MB", "99999999999999999999GB", "8589934592GB", "0.0000000001kB", "1mb", "1.5",
        "true", "false", "yes", "on", "True", "TRUE",
        "${UNSET}", "${", "$${ALICE_TOKEN}", "${ALICE_TOKEN}${ETCD_PASSWORD}", "file:", "file:.", "file:/dev/null", "file:/nonexistent/x", "file:${UNSET}",
        "!!binary aGk=", "!!int 3", "!!str", "!!map {}", "!!seq []", "!!float .nan", "!!timestamp 2001-12-14", "!custom x", "!<tag:x> y",
        "*undefined", "&a x", "&a", "& x", "*a",
        "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:0", "[::1]", "[::1", "::::", ":80", "host:", "a b:80", "999.999.999.999:80",
        "http://", "http://[::1", "https://a:b@c:99999/", "ftp://x:1/", "http://127.0.0.1:2379/path?q#f", "/relative", "//x",
        "Host=x;Port=abc", "Host=x;Port=99999999999", "Host=x;Timeout=-1", "Host=;", "=;", ";;;", "Host=a;Host=b", "Host=x;SslMode=Whatever",
        "Host=x;Pooling=maybe", "Host='x", "Host=\"x", "Host=x;Unknown Key=1", "x=", "Host=x;Bogus=",
        "\"\\0\"", "\"\\ud800\"", "\"\\x41\"", "\"\\U0010FFFF\"", "\"\\U00110000\"", "\"\\N\\L\\P\"", "\"\\q\"",
        "{{service}}", "{{unknown}}", "{{", "}}", "sha256:", "sha256:zz", "sha256:00",
        "KILL", "SIGKILL", "sig", "-9", "999999",
    ];

    private static readonly string[] Lines =
    [
        "---", "...", "%YAML 1.1", "%YAML 2.0", "%TAG ! tag:example.com,2000:", "? [a, b]", "? { a: 1 }", "? a", ": x", "- item", "# comment",
        "<<: *a", "\t", "", "&a", "*a", "!!map", "|", "  - ", "a: b: c",
    ];

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*:(?=\s|$)")]
    private static partial Regex Key();

    /// <summary>One of <paramref name="seeds"/>, then up to six mutations in a row.</summary>
    public static Gen<string> Of(IReadOnlyList<string> seeds)
    {
        // New lines use the seeds' own keys, so a wrong value lands where a reader looks for a right one.
        string[] keys = [.. seeds.SelectMany(s => Key().Matches(s).Select(m => m.Value[..^1])).Distinct()];
        Gen<string> value = Gen.OneOf<string>(Gen.OneOf(Values), Numbers, Gen.OneOf(keys), Gen.String[Gen.Char["ab:{}[],-&*!|>'\"%@# \t\\"], 0, 8]);
        Gen<int> at = Gen.Int[0, 100_000];
        Gen<Func<string, string>> mutation = Gen.OneOf<Func<string, string>>(
            at.Select(i => OnLines(lines => lines.RemoveAt(i % lines.Count))),
            at.Select(i => OnLines(lines => lines.Insert(i % lines.Count, lines[i % lines.Count]))),
            Gen.Select(at, at, (i, j) => OnLines(lines => (lines[i % lines.Count], lines[j % lines.Count]) = (lines[j % lines.Count], lines[i % lines.Count]))),
            Gen.Select(at, Gen.OneOf(Punctuation).Array[1, 4], (i, p) => (Func<string, string>)(t => t.Insert(i % (t.Length + 1), string.Concat(p)))),
            at.Select(i => (Func<string, string>)(t => t[..(i % (t.Length + 1))])),
            Gen.Select(at, at, value, (i, k, v) => OnLine(i, line => WithValue(line, k, v))),
            Gen.Select(at, Gen.Int[0, 8], Gen.OneOf<string>(Gen.OneOf(keys).Select(value, (k, v) => $"{k}: {v}"), Gen.OneOf(Lines)),
                (i, indent, line) => OnLines(lines => lines.Insert(i % (lines.Count + 1), new string(' ', indent) + line))),
            Gen.Select(at, at, at, (from, to, k) => Aliased(from, to, k)),
            Gen.Select(at, at, Gen.OneOf<int>(Gen.Int[0, 80], Gen.Int[60, 70], Gen.Int[0, 3000]), Gen.Int[0, 4],
                (i, k, depth, style) => OnLine(i, line => WithValue(line, k, Nested(depth, style)))));
        return Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[0, 6], (s, ms) => ms.Aggregate(seeds[s], (text, m) => m(text)));
    }

    /// <summary>Whole numbers and decimals of any size, bare or with a unit of time, size or percent.</summary>
    private static readonly Gen<string> Numbers = Gen.Select(
        Gen.OneOf<string>(Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            Gen.String[Gen.Char['0', '9'], 1, 40], Gen.String[Gen.Char["0123456789."], 1, 40]),
        Gen.OneOf("", "ms", "s", "m", "h", "kB", "MB", "GB", "%", "d", "B"),
        (n, unit) => n + unit);

    private static Func<string, string> OnLines(Action<List<string>> edit) => text =>
    {
        var lines = text.Split('\n').ToList();
        edit(lines);
        return string.Join('\n', lines);
    };

    private static Func<string, string> OnLine(int i, Func<string, string> edit) => OnLines(lines => lines[i % lines.Count] = edit(lines[i % lines.Count]));

    /// <summary>The value of the line's <paramref name="which"/>th key (in a flow mapping, up to the next , } or ]) replaced.</summary>
    private static string WithValue(string line, int which, string value)
    {
        var keys = Key().Matches(line);
        if (keys.Count == 0) return $"{line} {value}";
        int start = keys[which % keys.Count].Index + keys[which % keys.Count].Length;
        int end = line.IndexOfAny([',', '}', ']', '#'], start);
        return $"{line[..start]} {value}{(end < 0 ? "" : line[end..])}";
    }

    /// <summary>An anchor on one key's value and an alias to it under another: before it, after it or inside it.</summary>
    private static Func<string, string> Aliased(int from, int to, int which) => OnLines(lines =>
    {
        string anchored = lines[from % lines.Count];
        var keys = Key().Matches(anchored);
        if (keys.Count > 0)
        {
            int at = keys[which % keys.Count].Index + keys[which % keys.Count].Length;
            lines[from % lines.Count] = $"{anchored[..at]} &x{anchored[at..]}";
        }
        lines[to % lines.Count] = WithValue(lines[to % lines.Count], which, "*x");
    });

    private static string Nested(int depth, int style) => style switch
    {
        0 => new string('[', depth),
        1 => new string('[', depth) + new string(']', depth),
        2 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth),
        3 => string.Concat(Enumerable.Range(1, Math.Min(depth, 200)).Select(i => $"\n{new string(' ', i)}k{i}:")), // deeper is megabytes of indent
        _ => string.Concat(Enumerable.Repeat("- ", depth)) + "x",
    };
}
