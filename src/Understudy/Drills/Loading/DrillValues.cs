using System.Globalization;
using Understudy.Config;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>Value types drill files have and the config does not (yet): URLs, percentages, free text.</summary>
internal static class DrillValues
{
    /// <summary>An absolute http or https URL: the text as written (after <c>${NAME}</c>) and the parsed form.</summary>
    public static (string Text, Uri Uri)? Url(ConfigReader reader, YamlNode node, string key, string example)
    {
        string expected = $"an absolute http or https URL such as {example}";
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        // Checking the scheme also refuses "/path", which .NET on Unix would read as an absolute file:// URL.
        if (Uri.TryCreate(v.Text.Trim(), UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https") return (v.Text.Trim(), uri);
        reader.Fail(node, key, v, $"expected {expected}, got '{v.Text}'");
        return null;
    }

    /// <summary>Text that must say something: a drill's name, a manual step's instruction.</summary>
    public static string? NonEmpty(ConfigReader reader, YamlNode node, string key, string expected)
    {
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        if (v.Text.Trim().Length > 0) return v.Text;
        reader.Error(node, key, $"expected {expected}, got an empty value");
        return null;
    }

    /// <summary>A service, member or probe name, in the shape the config requires of names.</summary>
    public static string? Name(ConfigReader reader, YamlNode node, string key, string expected)
    {
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        if (Names.IsValid(v.Text)) return v.Text;
        reader.Fail(node, key, v, Names.WhyNot(v.Text));
        return null;
    }

    /// <summary>
    /// A number, written bare (<c>99.5</c>) or with a percent sign (<c>99.5%</c>); <paramref name="percent"/>
    /// says which, because a bare number means a percentage for some keys and a fraction for others.
    /// </summary>
    public static double? Number(ConfigReader reader, YamlNode node, string key, string expected, out bool percent, out string shown)
    {
        percent = false;
        shown = "";
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        string t = v.Text.Trim();
        percent = t.EndsWith('%');
        shown = v.Shown;
        if (double.TryParse(percent ? t[..^1] : t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out double number))
            return number;
        reader.Fail(node, key, v, $"expected {expected}, got '{v.Text}'");
        return null;
    }

    /// <summary>A duration with a floor above zero, whose message names the floor (probe intervals).</summary>
    public static TimeSpan? AtLeast(ConfigReader reader, YamlNode node, string key, TimeSpan min)
    {
        if (reader.Duration(node, key, zeroAllowed: true) is not { } d) return null;
        if (d >= min) return d;
        reader.Error(node, key, $"must be ≥ {Durations.Format(min)} (got {Durations.Format(d)})");
        return null;
    }
}
