using System.Text;

namespace Understudy.Drills.Reports;

/// <summary>
/// Markdown building blocks. Every piece of report data (names, reasons, details, URLs) goes through
/// <see cref="Text"/>, so it shows as written in any renderer and can never become a link, an image or
/// raw HTML in report.html: report data is whatever a drill file, a controller or a server said.
/// </summary>
internal static class Md
{
    /// <summary>
    /// Backslash-escapes the punctuation that starts inline syntax (CommonMark's and the Markdig advanced
    /// extensions': math $, ~sub~, ^sup^, ==mark==, ++ins++, {attributes}), escapes a leading block
    /// marker, and turns line breaks into &lt;br&gt;, which keeps a table row on one line.
    /// Underscores inside a word stay bare: they emphasize nothing there and http_status reads better.
    /// </summary>
    public static string Text(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        s = s.Trim();
        var b = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            char prev = i > 0 ? s[i - 1] : ' ', next = i + 1 < s.Length ? s[i + 1] : ' ';
            switch (c)
            {
                case '\r' when next == '\n': break;
                case '\r' or '\n': b.Append("<br>"); break;
                case '_' when char.IsLetterOrDigit(prev) && char.IsLetterOrDigit(next): b.Append(c); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '|' or '~' or '$' or '^' or '{' or '}' or '&':
                    b.Append('\\').Append(c); break;
                case '=' or '+' or '"' when next == c: b.Append('\\').Append(c); break;
                case '#' or '-' or '+' or '=' or ':' or '>' when i == 0: b.Append('\\').Append(c); break;
                case '.' or ')' when next == ' ' && i > 0 && AllDigits(s, i): b.Append('\\').Append(c); break;
                default: b.Append(c); break;
            }
        }
        return b.ToString();
    }

    /// <summary>True when everything before <paramref name="end"/> is digits: "1." at a line start would begin a list.</summary>
    private static bool AllDigits(string s, int end)
    {
        for (int i = 0; i < end; i++) if (!char.IsAsciiDigit(s[i])) return false;
        return true;
    }

    /// <summary>A table whose cells are already Markdown (run data through <see cref="Text"/> first).</summary>
    public static void Table(StringBuilder b, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        Row(b, headers);
        b.Append('|').Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (IReadOnlyList<string> row in rows) Row(b, row);
        b.Append('\n');
    }

    private static void Row(StringBuilder b, IReadOnlyList<string> cells) =>
        b.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Length == 0 ? " " : c))).Append(" |\n");

    public static void Heading(StringBuilder b, int level, string text) => b.Append('#', level).Append(' ').Append(text).Append("\n\n");

    public static void Para(StringBuilder b, string markdown) => b.Append(markdown).Append("\n\n");

    /// <summary>A fenced block whose fence is longer than any backtick run inside, so no content can close it early.</summary>
    public static void Code(StringBuilder b, string language, string content)
    {
        string fence = new('`', Math.Max(3, LongestBacktickRun(content) + 1));
        b.Append(fence).Append(language).Append('\n').Append(content.TrimEnd('\r', '\n')).Append('\n').Append(fence).Append("\n\n");
    }

    /// <summary>An inline code span, fenced like <see cref="Code"/> so no content can close it early.</summary>
    public static string Inline(string content)
    {
        string fence = new('`', LongestBacktickRun(content) + 1);
        string pad = content.StartsWith('`') || content.EndsWith('`') ? " " : "";
        return fence + pad + content + pad + fence;
    }

    private static int LongestBacktickRun(string s)
    {
        int longest = 0, run = 0;
        foreach (char c in s) { run = c == '`' ? run + 1 : 0; longest = Math.Max(longest, run); }
        return longest;
    }

    public static string Ok(bool ok) => ok ? "✅" : "❌";
}
