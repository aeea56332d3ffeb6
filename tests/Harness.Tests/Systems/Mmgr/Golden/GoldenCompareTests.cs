// The comparison rules of the golden replay and of `harness diff` on hand-made texts: the first
// differing line is named with its op, and "both sides died at the same op" is agreement only when
// everything before that op is identical and the death is at the same op.
using Harness.Systems.Mmgr.Golden;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Golden;

public sealed class GoldenCompareTests
{
    private const string Op0 = "Alloc ctx=#0 size=8 flags=0 entry=Palloc slabfit=0 align=0\n  = p100\n  chunks 100+16\n";
    private const string Op1 = "Alloc ctx=#0 size=1 flags=0 entry=Palloc slabfit=0 align=0\n";

    [Fact]
    public void First_difference_names_the_line_and_the_op()
    {
        string? d = GoldenVectors.FirstDifference(Op0 + Op1 + "  = p200\nend\n", Op0 + Op1 + "  = p208\nend\n");
        Assert.NotNull(d);
        Assert.Contains("line 5, op 1", d, StringComparison.Ordinal);
        Assert.Contains("'  = p200'", d, StringComparison.Ordinal);
        Assert.Null(GoldenVectors.FirstDifference(Op0 + "end\n", Op0 + "end\n"));
        Assert.NotNull(GoldenVectors.FirstDifference(Op0 + "end\n", Op0));
    }

    [Fact]
    public void Dying_at_the_same_op_is_agreement()
    {
        string c = Op0 + "crash 11\n";
        Assert.True(GoldenVectors.BothCrashAtSameOp(c, Op0 + Op1 + "  = CRASH AssertionFailureException: x\n  chunks\nend\n"));
        Assert.True(GoldenVectors.BothCrashAtSameOp(c, Op0 + Op1 + "  WARNING w\n  = CRASH SimFaultException: x\nend\n"));
        // died while observing the op (its result and part of its figures printed first)
        Assert.True(GoldenVectors.BothCrashAtSameOp(c, Op0 + Op1 + "  = p200\n top=1/8192/7928/0/8192\n  chunks 100+16\n  = CRASH SimFaultException: x\nend\n"));
    }

    [Fact]
    public void Dying_elsewhere_or_after_other_text_is_not()
    {
        string c = Op0 + "crash 11\n";
        // the port died one op later
        Assert.False(GoldenVectors.BothCrashAtSameOp(c, Op0 + Op1 + "  = p200\n" + Op1 + "  = CRASH X: y\nend\n"));
        // the text before differs
        Assert.False(GoldenVectors.BothCrashAtSameOp(c, Op0.Replace("p100", "p108", StringComparison.Ordinal) + Op1 + "  = CRASH X: y\nend\n"));
        // only one side died
        Assert.False(GoldenVectors.BothCrashAtSameOp(c, Op0 + Op1 + "  = p200\nend\n"));
        Assert.False(GoldenVectors.BothCrashAtSameOp(Op0 + Op1 + "  = p200\nend\n", Op0 + Op1 + "  = CRASH X: y\nend\n"));
    }
}
