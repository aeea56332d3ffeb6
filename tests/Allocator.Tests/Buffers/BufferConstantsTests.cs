// The relationships buf_internals.h pins with StaticAssertDecl (and the ones the spec states),
// and the descriptor layout's offsets.
using Allocator.Buffers;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class ConstantRelationshipsTests
{
    private static readonly uint[] Flags =
    {
        BM_LOCKED, BM_DIRTY, BM_VALID, BM_TAG_VALID, BM_IO_IN_PROGRESS, BM_IO_ERROR,
        BM_JUST_DIRTIED, BM_PIN_COUNT_WAITER, BM_CHECKPOINT_NEEDED, BM_PERMANENT,
    };

    [Fact]
    public void Fields_AreDisjoint_AndCoverExactly32Bits()
    {
        Assert.Equal(32, BUF_REFCOUNT_BITS + BUF_USAGECOUNT_BITS + BUF_FLAG_BITS);
        Assert.Equal(0u, BUF_REFCOUNT_MASK & BUF_USAGECOUNT_MASK);
        Assert.Equal(0u, BUF_REFCOUNT_MASK & BUF_FLAG_MASK);
        Assert.Equal(0u, BUF_USAGECOUNT_MASK & BUF_FLAG_MASK);
        Assert.Equal(uint.MaxValue, BUF_REFCOUNT_MASK | BUF_USAGECOUNT_MASK | BUF_FLAG_MASK);
        Assert.Equal(0x0003FFFFu, BUF_REFCOUNT_MASK);
        Assert.Equal(0x003C0000u, BUF_USAGECOUNT_MASK);
        Assert.Equal(0xFFC00000u, BUF_FLAG_MASK);
        Assert.Equal(1u, BUF_REFCOUNT_ONE);
        Assert.Equal(1u << 18, BUF_USAGECOUNT_ONE);
        Assert.Equal(18, BUF_USAGECOUNT_SHIFT);
    }

    [Fact]
    public void Flags_AreDistinctSingleBits_InsideTheFlagMask_InPostgresOrder()
    {
        uint all = 0;
        for (int i = 0; i < Flags.Length; i++)
        {
            Assert.Equal(1, System.Numerics.BitOperations.PopCount(Flags[i]));
            Assert.Equal(0u, all & Flags[i]);
            Assert.Equal(Flags[i], Flags[i] & BUF_FLAG_MASK);
            Assert.Equal(1u << (22 + i), Flags[i]);
            all |= Flags[i];
        }
        Assert.Equal(BUF_FLAG_MASK, all);
    }

    [Fact]
    public void UsageCountCap_FitsItsField_AndMaxBackendsFitsTheRefcount()
    {
        Assert.Equal(5u, BM_MAX_USAGE_COUNT);
        Assert.True(BM_MAX_USAGE_COUNT < (1u << BUF_USAGECOUNT_BITS));
        Assert.Equal(BM_MAX_USAGE_COUNT, BUF_STATE_GET_USAGECOUNT(BM_MAX_USAGE_COUNT * BUF_USAGECOUNT_ONE));
        Assert.True((uint)MAX_BACKENDS <= BUF_REFCOUNT_MASK);
        Assert.Equal(0x3FFFF, MAX_BACKENDS);
        Assert.Equal(8, REFCOUNT_ARRAY_ENTRIES);
        Assert.Equal(-1, FREENEXT_END_OF_LIST);
        Assert.Equal(-2, FREENEXT_NOT_IN_LIST);
        // a full refcount plus one carries into the usage count, which is why MAX_BACKENDS is bounded
        Assert.Equal(BUF_USAGECOUNT_ONE, BUF_REFCOUNT_MASK + BUF_REFCOUNT_ONE);
    }

    [Fact]
    public void DescriptorLayout_MatchesPostgres17()
    {
        Assert.Equal(20UL, BufferDescLayout.SIZEOF_BufferTag);
        Assert.Equal(BufferDescLayout.OFF_tag + BufferDescLayout.SIZEOF_BufferTag, BufferDescLayout.OFF_buf_id);
        Assert.Equal(24UL, BufferDescLayout.OFF_state);
        Assert.Equal(28UL, BufferDescLayout.OFF_wait_backend_pgprocno);
        Assert.Equal(32UL, BufferDescLayout.OFF_freeNext);
        Assert.Equal(36UL, BufferDescLayout.OFF_content_lock);
        Assert.Equal(52UL, BufferDescLayout.SIZEOF_BufferDesc);
        Assert.True(BufferDescLayout.SIZEOF_BufferDesc <= BufferDescLayout.BUFFERDESC_PAD_TO_SIZE);
        Assert.Equal(64UL, BufferDescLayout.BUFFERDESC_PAD_TO_SIZE);
        Assert.Equal(0UL, BufferDescLayout.OFF_state % 4);
        Assert.Equal(0UL, (BufferDescLayout.OFF_content_lock + 4) % 4);
    }

    [Fact]
    public void InitBufferPool_InitialisesEveryDescriptor()
    {
        var descs = new BufferDescriptors(16);
        var m = descs.InitMemory;
        for (int i = 0; i < 16; i++)
        {
            BufferDesc d = descs.GetBufferDescriptor(i);
            Assert.Equal(descs.Base + (ulong)i * 64, d.Address);
            Assert.Equal(i, descs.BufIdOf(d));
            Assert.Equal(i + 1, BufferDescriptors.BufferDescriptorGetBuffer(m, d));
            Assert.Equal(BufferTag.Cleared, BufferDescriptors.ReadTag(m, d));
            Assert.Equal(0u, m.ReadU32(d.StateAddr));
            Assert.Equal(INVALID_PROC_NUMBER, BufferDescriptors.ReadWaitBackend(m, d));
            Assert.Equal(i == 15 ? FREENEXT_END_OF_LIST : i + 1, BufferDescriptors.ReadFreeNext(m, d));
            Assert.Equal(LWLockConstants.LW_FLAG_RELEASE_OK, m.ReadU32(d.ContentLock.StateAddr));
        }
        Assert.Equal(-1, descs.BufIdOf(new BufferDesc(descs.Base + 16 * 64)));
        Assert.Equal(-1, descs.BufIdOf(new BufferDesc(descs.Base + 8)));
    }

    [Fact]
    public void RelPath_FollowsTablespaceAndFork()
    {
        Assert.Equal("base/5/16384", new BufferTag(DEFAULTTABLESPACE_OID, 5, 16384, ForkNumber.MAIN_FORKNUM, 0).RelPath());
        Assert.Equal("global/1262_fsm", new BufferTag(GLOBALTABLESPACE_OID, 0, 1262, ForkNumber.FSM_FORKNUM, 0).RelPath());
        Assert.Equal("base/5/16384_vm", new BufferTag(DEFAULTTABLESPACE_OID, 5, 16384, ForkNumber.VISIBILITYMAP_FORKNUM, 0).RelPath());
    }
}
