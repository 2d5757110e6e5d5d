using Npgsql;
using Understudy.Core.Topology;

namespace Understudy.Failover.Postgres;

/// <summary>Connection strings to one member; no pooling, so every check and action sees the server as it is now.</summary>
public static class PgConnections
{
    public static string For(PostgresSpec pg, HostPort at, string applicationName = "understudy") => new NpgsqlConnectionStringBuilder
    {
        Host = at.Host,
        Port = at.Port,
        Username = pg.User,
        Password = pg.Password,
        Database = pg.Database,
        Pooling = false,
        Timeout = 5,
        CommandTimeout = 60,
        ApplicationName = applicationName,
    }.ConnectionString;

    /// <summary>The libpq conninfo a standby uses to stream from <paramref name="primary"/>, naming itself as <paramref name="standby"/>.</summary>
    public static string PrimaryConnInfo(PostgresSpec pg, HostPort primary, string standby)
    {
        var parts = new List<string> { $"host={primary.Host}", $"port={primary.Port}", $"user={Quote(pg.User)}", $"application_name={Quote(standby)}" };
        if (pg.Password is { } password) parts.Add($"password={Quote(password)}");
        return string.Join(' ', parts);
    }

    /// <summary>libpq conninfo quoting: single quotes, backslash-escaped.</summary>
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
