using System.Text.RegularExpressions;
using Npgsql;
using Understudy.Config;

namespace Understudy.Drills.Loading;

/// <summary>The settings only a <c>sql_write</c> probe has: an Npgsql connection string and a table name.</summary>
internal static partial class SqlProbe
{
    public const string DefaultTable = "understudy_probe";

    public static string? Connection(ConfigMapping k)
    {
        if (k.Required("connection", "an Npgsql connection string such as \"Host=127.0.0.1;Port=6432;Username=postgres;Database=postgres\"") is not { } node) return null;
        if (k.Reader.Scalar(node, k.KeyOf("connection"), "an Npgsql connection string") is not { } value) return null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value.Text);
            if (string.IsNullOrEmpty(builder.Host)) throw new ArgumentException("it names no Host");
            return value.Text;
        }
        catch (ArgumentException e)
        {
            // The message never quotes the value: it may hold a password.
            k.Reader.Error(node, k.KeyOf("connection"), $"not a usable Npgsql connection string: {e.Message}");
            return null;
        }
        catch (KeyNotFoundException)
        {
            // Npgsql 10 throws this, not an ArgumentException, for a keyword it does not know given no value ("x=").
            k.Reader.Error(node, k.KeyOf("connection"), "not a usable Npgsql connection string: it names a keyword Npgsql does not know, with no value");
            return null;
        }
    }

    public static string? Table(ConfigMapping k)
    {
        if (k.Optional("table") is not { } node) return DefaultTable;
        if (k.Reader.Text(node, k.KeyOf("table"), "a table name") is not { } table) return null;
        if (TableName().IsMatch(table)) return table;
        k.Reader.Error(node, k.KeyOf("table"), $"expected a plain lowercase table name ([a-z_][a-z0-9_]*), got '{table}'");
        return null;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
