namespace Understudy.Tests.Testing;

/// <summary>
/// A <see cref="Random"/> that hands out numbers CsCheck generated, so a simulation written against <c>Random</c>
/// can be shrunk: fewer scripts are fewer steps, and smaller numbers are earlier choices (0 is always the first).
/// </summary>
internal sealed class ScriptedRandom(int[] numbers) : Random
{
    private int _next;

    /// <summary>Numbers past the end of the script are 0, so a short script still drives a whole step.</summary>
    public override int Next(int maxValue) => maxValue <= 1 ? 0 : (_next < numbers.Length ? numbers[_next++] : 0) % maxValue;

    public override int Next(int minValue, int maxValue) => minValue + Next(maxValue - minValue);
}
