// IlSamples: small methods covering the IL shapes the instrumenter must keep valid and equivalent:
// loops, switch tables, try/catch/filter/finally, nested handlers, leave out of handlers, values
// on the stack at join points (?:), iterators, lambdas and a throw whose line number must survive.
// The instrumentation tests rewrite only this namespace of the test assembly and compare every
// method's results with the uninstrumented originals.
namespace Harness.Tests.Fuzz.Instrumentation.Samples;

public static class IlSamples
{
    /// <summary>A plain counting loop: the body block must be entered exactly n times.</summary>
    public static int CountDown(int n)
    {
        int sum = 0;
        while (n > 0)
        {
            sum += n;
            n--;
        }
        return sum;
    }

    public static string Switch(int k)
    {
        switch (k)
        {
            case 0: return "zero";
            case 1: return "one";
            case 2: return "two";
            case 3: return "three";
            case 5: return "five";
            default: return k < 0 ? "negative" : "many";
        }
    }

    public static int Ternaries(int a, int b) => (a > b ? a : b) * (a % 2 == 0 ? 3 : 7) + (b == 0 ? 1 : a / b);

    public static string Handlers(string s)
    {
        var log = new System.Text.StringBuilder();
        try
        {
            log.Append('t');
            try
            {
                int v = int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
                if (v < 0) throw new InvalidOperationException("negative");
                if (v == 13) throw new ArgumentException("thirteen");
                log.Append(100 / v);
            }
            catch (InvalidOperationException e) when (e.Message.Length > 3)
            {
                log.Append("f:").Append(e.Message);
            }
            catch (DivideByZeroException)
            {
                log.Append("div0");
                for (int i = 0; i < 3; i++)
                {
                    if (i == 1) continue;
                    log.Append(i);
                }
            }
            finally
            {
                log.Append("|fin");
            }
        }
        catch (FormatException)
        {
            log.Append("|fmt");
        }
        catch (ArgumentException e)
        {
            log.Append("|arg:").Append(e.Message);
        }
        return log.ToString();
    }

    public static int LongMethod(int x)
    {
        // Enough branches for a short branch to overflow once probes are inserted (the leave.s/br.s hazard).
        int r = 0;
        for (int i = 0; i < 40; i++)
        {
            if ((x + i) % 2 == 0) r += i; else r -= 1;
            if ((x ^ i) % 3 == 0) r *= 2; else r += 3;
            if (r > 100000) r %= 9973;
            try
            {
                if (i == x) throw new InvalidOperationException();
            }
            catch (InvalidOperationException)
            {
                r += 11;
            }
        }
        return r;
    }

    public static int Iterate(int n) => Range(n).Where(i => i % 3 != 0).Select(i => i * i).Sum();

    private static IEnumerable<int> Range(int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (i == 50) yield break;
            yield return i;
        }
    }

    public static int Throws(int depth)
    {
        if (depth > 0) return Throws(depth - 1) + 1;
        throw new InvalidOperationException("sample failure at depth 0");   // the line the stack trace must name
    }
}

/// <summary>Code marked out of coverage (as the port marks its invariant walkers): the instrumenter
/// must leave it, its lambdas and its local functions without probes.</summary>
public static class ExcludedSamples
{
    [System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]
    public static int MarkedMethod(int n)
    {
        int r = 0;
        for (int i = 0; i < n; i++) r += i % 2 == 0 ? Twice(i) : Enumerable.Range(0, i).Count(x => x > 3 ? x % 2 == 0 : x == 1);
        return r;

        static int Twice(int v) => v > 10 ? v * 2 : v;
    }

    /// <summary>Not marked, next to a marked method: keeps its probes.</summary>
    public static int Unmarked(int n) => n > 3 ? MarkedMethod(n) : -1;

    [System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]
    public static class MarkedType
    {
        public static int Inner(int n) => n > 2 ? n : -n;
    }
}
