using System.Globalization;
using System.Text.Json;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// samples.csv: every probe attempt, one row each, in the order given. <c>latency_ms</c> is end − start
/// for spreadsheets; on read the times are what count. <c>error</c> is empty for a success. <c>address</c>, the last
/// column, is the IP a tcp probe with a resolver connected or tried to; files written before it was added (without
/// the column) still read, with no addresses.
/// </summary>
public static class SamplesCsv
{
    public const string Header = "probe,seq,start,end,latency_ms,ok,error,answered_by,detail,address";

    /// <summary>The header before the <c>address</c> column.</summary>
    public const string HeaderWithoutAddress = "probe,seq,start,end,latency_ms,ok,error,answered_by,detail";

    private static readonly string[] Columns = Header.Split(',');
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, ErrorKind> KindsByName =
        Enum.GetValues<ErrorKind>().Where(k => k != ErrorKind.None).ToDictionary(KindName, StringComparer.Ordinal);

    /// <summary>The error kind as reports spell it: refused, reset, timeout, http_status, overload, other.</summary>
    public static string KindName(ErrorKind kind) => kind == ErrorKind.None ? "" : JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    public static void Write(TextWriter w, IReadOnlyList<(string Probe, ProbeSample Sample)> samples)
    {
        w.Write(Header + "\r\n");
        foreach ((string probe, ProbeSample s) in samples)
            Csv.WriteRecord(w, probe, s.Seq.ToString(Inv), Fmt.Iso(s.Start), Fmt.Iso(s.End),
                s.Latency.TotalMilliseconds.ToString("0.###", Inv), s.Ok ? "true" : "false", s.Error == ErrorKind.None ? null : KindName(s.Error), s.AnsweredBy, s.Detail, s.Address);
    }

    public static string Write(IReadOnlyList<(string Probe, ProbeSample Sample)> samples)
    {
        using var w = new StringWriter(Inv);
        Write(w, samples);
        return w.ToString();
    }

    public static IReadOnlyList<(string Probe, ProbeSample Sample)> Read(string text, string source = "samples.csv")
    {
        using var r = new StringReader(text);
        return Read(r, source);
    }

    /// <summary>Parses samples.csv; every problem is a <see cref="ReportException"/> naming the line and column.</summary>
    public static IReadOnlyList<(string Probe, ProbeSample Sample)> Read(TextReader reader, string source = "samples.csv")
    {
        var result = new List<(string, ProbeSample)>();
        bool header = true;
        int columns = Columns.Length;
        foreach ((int line, List<CsvField> f) in Csv.ReadRecords(reader, source))
        {
            if (header)
            {
                // A BOM is tolerated: spreadsheets add one when they save.
                string got = string.Join(',', f.Select(x => x.Text)).TrimStart('\uFEFF');
                if (got == HeaderWithoutAddress) columns = Columns.Length - 1;
                else if (got != Header) throw new ReportException($"{source} line {line}: expected the header '{Header}', got '{got}'");
                header = false;
                continue;
            }
            if (f.Count != columns) throw new ReportException($"{source} line {line}: expected {columns} fields, got {f.Count}");
            result.Add((f[0].Text, Parse(f, line, source)));
        }
        if (header) throw new ReportException($"{source}: empty (expected the header '{Header}')");
        return result;
    }

    private static ProbeSample Parse(List<CsvField> f, int line, string source)
    {
        ReportException Bad(int col, string expected) =>
            new($"{source} line {line}, column {Columns[col]}: expected {expected}, got '{f[col].Text}'");

        if (!long.TryParse(f[1].Text, NumberStyles.Integer, Inv, out long seq)) throw Bad(1, "an integer");
        if (!Fmt.TryParseIso(f[2].Text, out DateTimeOffset start)) throw Bad(2, "an ISO 8601 UTC time");
        if (!Fmt.TryParseIso(f[3].Text, out DateTimeOffset end)) throw Bad(3, "an ISO 8601 UTC time");
        bool ok = f[5].Text switch { "true" => true, "false" => false, _ => throw Bad(5, "true or false") };
        ErrorKind error = ErrorKind.None;
        if (f[6].Text.Length > 0 && !KindsByName.TryGetValue(f[6].Text, out error))
            throw Bad(6, $"empty or one of {string.Join(", ", KindsByName.Keys)}");
        return new ProbeSample(seq, start, end, ok, error, Optional(f[7]), Optional(f[8]), f.Count > 9 ? Optional(f[9]) : null);
    }

    private static string? Optional(CsvField f) => f.Text.Length == 0 && !f.Quoted ? null : f.Text;
}
