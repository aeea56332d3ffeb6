// BufferDescLayout: one buffer descriptor (BufferDesc of buf_internals.h, PostgreSQL 17) as it lies
// in simulated shared memory, padded to BUFFERDESC_PAD_TO_SIZE (64) bytes:
//
//   +0   tag.SpcOid              uint32  BufferTag (20 bytes): header lock, or a pin for reading
//   +4   tag.DbOid               uint32
//   +8   tag.RelNumber           uint32
//   +12  tag.forkNum             int32
//   +16  tag.BlockNum            uint32
//   +20  buf_id                  int32   immutable
//   +24  state                   uint32  atomic (BufferConstants)
//   +28  wait_backend_pgprocno   int32   header lock
//   +32  freeNext                int32   buffer_strategy_lock
//   +36  content_lock            LWLock  (16 bytes: tranche, state at +40, waiters at +44)
//   +52  padding to 64
//
// Every 32-bit field is naturally aligned, so the production runtime can use Interlocked on it.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sync;

namespace Allocator.Buffers;

public static class BufferDescLayout
{
    public const ulong OFF_tag = 0;
    public const ulong OFF_tag_spcOid = 0;
    public const ulong OFF_tag_dbOid = 4;
    public const ulong OFF_tag_relNumber = 8;
    public const ulong OFF_tag_forkNum = 12;
    public const ulong OFF_tag_blockNum = 16;
    public const ulong SIZEOF_BufferTag = 20;
    public const ulong OFF_buf_id = 20;
    public const ulong OFF_state = 24;
    public const ulong OFF_wait_backend_pgprocno = 28;
    public const ulong OFF_freeNext = 32;
    public const ulong OFF_content_lock = 36;
    /// <summary>sizeof(BufferDesc) before padding.</summary>
    public const ulong SIZEOF_BufferDesc = OFF_content_lock + LWLock.SIZE;
    /// <summary>BUFFERDESC_PAD_TO_SIZE on 64-bit builds.</summary>
    public const ulong BUFFERDESC_PAD_TO_SIZE = 64;
}


/// <summary>A handle to one descriptor: its simulated address. The same value in every backend and run.</summary>
public readonly record struct BufferDesc(ulong Address)
{
    public ulong TagAddr => Address + BufferDescLayout.OFF_tag;
    public ulong BufIdAddr => Address + BufferDescLayout.OFF_buf_id;
    public ulong StateAddr => Address + BufferDescLayout.OFF_state;
    public ulong WaitBackendAddr => Address + BufferDescLayout.OFF_wait_backend_pgprocno;
    public ulong FreeNextAddr => Address + BufferDescLayout.OFF_freeNext;

    /// <summary>BufferDescriptorGetContentLock.</summary>
    public LWLock ContentLock => new(Address + BufferDescLayout.OFF_content_lock);

    public override string ToString() => $"BufferDesc@0x{Address:x}";
}
