using System.Text;

namespace Understudy.Drills.Reports;

/// <summary>One CSV field; <see cref="Quoted"/> tells an empty string ("") from a missing value (nothing).</summary>
internal readonly record struct CsvField(string Text, bool Quoted);

/// <summary>
/// RFC 4180: fields separated by commas, records by CRLF (LF accepted on read), a field quoted when it holds
/// a comma, quote, CR or LF, with quotes doubled inside. Like PostgreSQL's CSV, an unquoted empty field is
/// null and a quoted one is the empty string, so optional text round-trips exactly.
/// </summary>
internal static class Csv
{
    public static void WriteRecord(TextWriter w, params string?[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) w.Write(',');
            string? f = fields[i];
            if (f is null) continue;
            if (f.Length > 0 && f.IndexOfAny([',', '"', '\r', '\n']) < 0) { w.Write(f); continue; }
            w.Write('"');
            w.Write(f.Replace("\"", "\"\""));
            w.Write('"');
        }
        w.Write("\r\n");
    }

    /// <summary>Records with the line each starts on (quoted fields may span lines), for error messages.</summary>
    public static IEnumerable<(int Line, List<CsvField> Fields)> ReadRecords(TextReader r, string source)
    {
        var fields = new List<CsvField>();
        var field = new StringBuilder();
        bool quoted = false, inQuotes = false, any = false;
        int line = 1, recordLine = 1;
        while (true)
        {
            int c = r.Read();
            if (inQuotes)
            {
                if (c < 0) throw new ReportException($"{source} line {recordLine}: a quoted field is not closed before the end of the file");
                if (c == '"')
                {
                    if (r.Peek() == '"') { r.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append((char)c);
                }
                continue;
            }
            if (c == '"' && field.Length == 0 && !quoted) { inQuotes = quoted = any = true; continue; }
            if (c == ',') { fields.Add(new(field.ToString(), quoted)); field.Clear(); quoted = false; any = true; continue; }
            if (c == '\r' && r.Peek() == '\n') continue;
            if (c == '\n' || c < 0)
            {
                if (any || field.Length > 0)
                {
                    fields.Add(new(field.ToString(), quoted));
                    yield return (recordLine, fields);
                    fields = [];
                }
                field.Clear();
                quoted = any = false;
                if (c < 0) yield break;
                recordLine = ++line;
                continue;
            }
            if (quoted) throw new ReportException($"{source} line {line}: text after a closing quote (a quote inside a field must be doubled)");
            field.Append((char)c);
            any = true;
        }
    }
}
