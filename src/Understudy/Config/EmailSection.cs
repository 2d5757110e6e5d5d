using System.Collections.Immutable;
using System.Net.Mail;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary><c>email:</c> in an alert channel: the SMTP server, the addresses, and credentials when the server asks for them.</summary>
internal static class EmailSection
{
    public static EmailChannelSpec? Read(ConfigMapping c, string name, AlertTopics topics, TimeSpan interval)
    {
        ConfigReader reader = c.Reader;
        int before = reader.ErrorCount;
        HostPort? smtp = c.Required("smtp", "host:port of the SMTP server, e.g. smtp.example.com:587") is { } s ? reader.Address(s, c.KeyOf("smtp")) : null;
        string? from = c.Required("from", "the sender's address") is { } f ? Address(reader, f, c.KeyOf("from")) : null;
        ImmutableArray<string>? to = c.Required("to", "a sequence of addresses, e.g. [oncall@example.com]") is { } t ? To(reader, t, c.KeyOf("to")) : null;
        string? username = c.Optional("username") is { } u ? reader.Text(u, c.KeyOf("username"), "a user name") : null;
        string? password = c.Optional("password") is { } p
            ? AlertsSection.NotEmpty(reader, p, c.KeyOf("password"), reader.Secret(p, c.KeyOf("password"), "a password, ${ENV_VAR} or file:PATH"), "password")
            : null;
        bool? startTls = c.Optional("starttls") is { } tls ? reader.Bool(tls, c.KeyOf("starttls")) : true;

        // A user name without a password (or the reverse) is half a login: say so rather than fail at the first alert.
        c.BothOrNeither("username", "password");
        return reader.ErrorCount == before && smtp is { } server && from is not null && to is { } list && startTls is { } upgrade
            ? new EmailChannelSpec(name, topics, interval, server, from, list, username, password, upgrade)
            : null;
    }

    private static string? Address(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "an email address") is not { } v) return null;
        if (MailAddress.TryCreate(v.Text, out MailAddress? address)) return address.ToString();
        reader.Fail(node, key, v, $"expected an email address such as alerts@example.com, got '{v.Text}'");
        return null;
    }

    private static ImmutableArray<string>? To(ConfigReader reader, YamlNode node, string key) =>
        reader.NonEmptyList(node, key, "a sequence of addresses, e.g. [oncall@example.com]", "address", (n, k) => Address(reader, n, k));
}
