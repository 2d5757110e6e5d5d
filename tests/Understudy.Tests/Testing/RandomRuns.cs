using CsCheck;

namespace Understudy.Tests.Testing;

/// <summary>
/// The two ways an invariant test drives a simulation written against <see cref="Random"/>: <c>run</c> is given a
/// name for its failure messages, the Random that draws its setup, and one Random for each step it is to take.
/// </summary>
internal static class RandomRuns
{
    /// <summary>The fixed seeds: one <c>new Random(seed)</c> serves the setup and every step, so a seed's draws never change.</summary>
    public static void FromSeeds(int seeds, int steps, Action<string, Random, IEnumerable<Random>> run)
    {
        for (int seed = 0; seed < seeds; seed++)
        {
            var rng = new Random(seed);
            run($"seed {seed}", rng, Enumerable.Repeat(rng, steps));
        }
    }

    /// <summary>
    /// CsCheck's: a script of <paramref name="draws"/> numbers for the setup and one for each of up to
    /// <paramref name="steps"/> steps (<see cref="ScriptedRandom"/>), so a failing run shrinks to fewer steps and earlier choices.
    /// </summary>
    public static void Generated(int draws, int steps, Action<string, Random, IEnumerable<Random>> run, int cases, TimeSpan budget,
        Action<string> writeLine) =>
        Gen.Select(Gen.Int[0, 999_999].Array[draws], Gen.Int[0, 999_999].Array[draws].Array[1, steps])
            .SampleSeeded(script => run("generated", new ScriptedRandom(script.Item1), script.Item2.Select(step => new ScriptedRandom(step))),
                cases, budget, writeLine, script => $"{script.Item2.Length} steps");
}
