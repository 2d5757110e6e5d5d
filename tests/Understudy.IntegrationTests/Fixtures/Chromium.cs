using Microsoft.Playwright;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Debian's Chromium, headless, driven by Playwright. Never <c>playwright install</c>: nothing is downloaded.</summary>
public static class Chromium
{
    private static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = Args });
}
