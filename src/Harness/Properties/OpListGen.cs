// OpListGen: the length every system's op-list generator draws: 1 at the smallest FsCheck size,
// growing linearly to maxOps at size 50 (the EndSize the engine runs with), so that the first
// cases are short and shrinking starts from lists the size has already bounded. Generators whose
// lists are made of runs (several ops that only together reach a policy) concatenate them with Runs.
using FsCheck;
using FsCheck.Fluent;

namespace Harness.Properties;

public static class OpListGen
{
    /// <summary>Arrays of <paramref name="op"/>, 1 to <paramref name="maxOps"/> long, longer as FsCheck's size grows.</summary>
    public static Gen<T[]> Of<T>(Gen<T> op, int maxOps) => Length(maxOps).SelectMany(n => Gen.ArrayOf(op, n));

    /// <summary>The list length alone, for generators that draw more per list before its ops.</summary>
    public static Gen<int> Length(int maxOps) =>
        Gen.Sized(size => Gen.Choose(1, Math.Max(1, Math.Min(maxOps, 2 + size * maxOps / 50))));

    /// <summary>Runs drawn from <paramref name="run"/> concatenated to exactly <paramref name="count"/>
    /// ops, the last one cut short.</summary>
    public static Gen<T[]> Runs<T>(Gen<T[]> run, int count) => count <= 0
        ? Gen.Constant(Array.Empty<T>())
        : run.SelectMany(r =>
        {
            T[] head = r.Length <= count ? r : r[..count];
            return Runs(run, count - head.Length).Select(rest => (T[])[.. head, .. rest]);
        });
}
