using System.Text;
using CsCheck;

namespace Understudy.Tests.Fuzz;

/// <summary>
/// Request bodies as a careless or hostile client sends them: JSON objects whose keys are the API's own fields (given
/// twice, in the wrong case, with values of every type), numbers past a double's range, escapes of lone surrogates
/// and NUL, nesting thousands deep, oversize bodies, and bytes that are not UTF-8 at all.
/// </summary>
internal static class JsonBodies
{
    private static readonly string[] Keys =
    [
        "to", "reason", "dry_run", "comment", "service", "name", "verdict", "rto_ms", "report", "kind", "duration", "latency_ms", "jitter_ms",
        "DryRun", "dryRun", "Dry_Run", "", "a",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1.5", "0.0", "1E2", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9007199254740993",
        "86400000", "86400001", "60000", "60000.0001", "-0.0", "01", "1.", ".5", "+1", "0x10", "NaN", "Infinity", "-Infinity", "1e", "--1",
    ];

    private static readonly string[] Strings =
    [
        "", "x", "blackhole", "latency", "reset", "passed", "failed", "aborted", "web", "web-a", "10s", "0", "0ms", "2h", "1h", "3600.0000001s",
        "99999999999999999999h", "-5s", "1e3ms", "true", "null", @"\u0000", @"\ud800", @"\udc00\ud800", @"\ud800\udc00", @"\n", @"\t", @"\x", @"\u12",
        "\u0001", "\n", "\u2028", "\ufeff", "é", "\"", @"\", "${UNSET}",
    ];

    public static Gen<byte[]> Any { get; } = Gen.Select(Texts(), Gen.Frequency((6, Gen.Const<Func<byte[], byte[]>>(b => b)), (1, Broken())), (t, spoil) => spoil(Encoding.UTF8.GetBytes(t)));

    private static Gen<string> Texts()
    {
        Gen<string> scalar = Gen.Frequency(
            (30, Gen.OneOf<string>(
                Gen.OneOf("true", "false", "null", "True", "nul", "undefined"),
                Gen.OneOf(Numbers),
                Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
                Gen.OneOf(Strings).Select(s => $"\"{s}\""),
                Gen.String[0, 12].Select(s => System.Text.Json.JsonSerializer.Serialize(s)))),
            (1, Gen.Int[0, 70_000].Select(n => $"\"{new string('a', n)}\""))); // around the 64 KiB limit
        Gen<string> value = Gen.Recursive<string>((depth, self) => depth >= 3 ? scalar : Gen.Frequency(
            (6, scalar),
            (1, self.Array[0, 4].Select(items => $"[{string.Join(",", items)}]")),
            (1, Members(self))));
        Gen<string> deep = Gen.Select(Gen.Int[0, 5000], Gen.Bool, (n, closed) =>
            string.Concat(Enumerable.Repeat("{\"a\":[", n)) + (closed ? "1" + string.Concat(Enumerable.Repeat("]}", n)) : ""));
        return Gen.Frequency((8, Shaped(value)), (4, Members(value)), (1, value), (1, deep), (1, Gen.String[0, 20]));
    }

    /// <summary>
    /// Each endpoint's body with each field right or just past its limit, of any other value, or left out: the checks
    /// after the first are reached too.
    /// </summary>
    private static Gen<string> Shaped(Gen<string> anyValue)
    {
        Gen<string> Field(string key, params string[] near) => Gen.Frequency(
            (3, Gen.OneOf(near)), (1, anyValue), (1, Gen.Const(""))).Select(v => v.Length == 0 ? "" : $"\"{key}\":{v}");
        return Gen.OneOf<string>(
            Object(Field("kind", "\"blackhole\"", "\"latency\"", "\"reset\""), Field("duration", "\"10s\"", "\"1h\"", "\"3601s\"", "\"0\""),
                Field("latency_ms", "0", "200", "60000", "60000.001", "1e400", "-1"), Field("jitter_ms", "0", "5.5", "-1e400")),
            Object(Field("name", "\"web primary crash\""), Field("verdict", "\"passed\"", "\"failed\"", "\"aborted\""), Field("service", "\"web\""),
                Field("rto_ms", "1500", "0", "86400001", "1e400", "-0"), Field("report", "\"reports/web/report.md\"")),
            Object(Field("to", "\"web-b\"", "null"), Field("reason", "\"maintenance\""), Field("dry_run", "true", "false")),
            Object(Field("comment", "\"ok\""), Field("reason", "\"window\"")));
    }

    private static Gen<string> Object(params Gen<string>[] fields) =>
        fields.Aggregate(Gen.Const(""), (members, field) => Gen.Select(members, field, (a, b) => a.Length == 0 ? b : b.Length == 0 ? a : $"{a},{b}"))
            .Select(members => "{" + members + "}");

    /// <summary>An object of the API's fields; drawn from a short list, a key is often given twice.</summary>
    private static Gen<string> Members(Gen<string> value) =>
        Gen.Select(Gen.OneOf(Keys), value, (k, v) => $"\"{k}\":{v}").Array[0, 6].Select(members => "{" + string.Join(",", members) + "}");

    /// <summary>The bytes cut short, or with a byte that is no UTF-8 (or an encoded surrogate, or a BOM) put in.</summary>
    private static Gen<Func<byte[], byte[]>> Broken() => Gen.OneOf<Func<byte[], byte[]>>(
        Gen.Int[0, 100_000].Select(i => (Func<byte[], byte[]>)(b => b[..(i % (b.Length + 1))])),
        Gen.Select(Gen.Int[0, 100_000], Gen.OneOf<byte[]>([0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x00]),
            (i, bad) => (Func<byte[], byte[]>)(b => [.. b[..(i % (b.Length + 1))], .. bad, .. b[(i % (b.Length + 1))..]])));
}
