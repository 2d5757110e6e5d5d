using Npgsql;
using Understudy.Core.Topology;

namespace Understudy.Checks;

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
    public static string PrimaryConnInfo(PostgresSpec pg, HostPort primary, string standby) =>
        ConnInfo(primary, pg.User, null, standby) + (pg.Password is { } password ? $" password={Quote(password)}" : "");

    /// <summary>A libpq conninfo with every value quoted; no password (callers pass it apart).</summary>
    public static string ConnInfo(HostPort at, string user, string? database, string applicationName) =>
        $"host={Quote(at.Host)} port={at.Port} user={Quote(user)}" + (database is null ? "" : $" dbname={Quote(database)}") + $" application_name={Quote(applicationName)}";

    /// <summary>libpq conninfo quoting: single quotes, backslash-escaped.</summary>
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
