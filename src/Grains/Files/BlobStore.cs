using System.Security.Cryptography;
using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Files;

/// <summary>A stored binary: its SHA-256 (hex) names it.</summary>
public sealed record BlobInfo(string Sha256, long Size, int ChunkSize);

/// <summary>
/// Binaries in the platform database, content-addressed and chunked: the same bytes are kept
/// once, uploads stream in and downloads stream out (a chunk at a time, from any offset), and
/// every silo of a cluster sees the same files without a shared disk.
/// </summary>
public sealed class BlobStore(Database database)
{
    public const int ChunkSize = 256 * 1024;

    public async Task<BlobInfo> SaveAsync(Stream content, CancellationToken cancellationToken = default)
    {
        // Chunks go in under a temporary key while the hash is computed, then take the hash's name.
        var temporary = $"upload-{Guid.NewGuid():N}";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long size = 0;
        var seq = 0;
        try
        {
            int filled;
            while ((filled = await FillAsync(content, buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, filled);
                size += filled;
                var chunk = buffer.AsSpan(0, filled).ToArray();
                await database.ExecuteAsync(
                    "INSERT INTO blob_chunks (sha256, seq, data) VALUES (@sha, @seq, @data)",
                    p => p.Add("sha", temporary).Add("seq", seq).Add("data", chunk),
                    cancellationToken);
                seq++;
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            var batch = new SqlBatch()
                .Add("INSERT INTO blobs (sha256, size, chunk_size, created_at) VALUES ({0}, {1}, {2}, {3}) ON CONFLICT (sha256) DO NOTHING",
                    sha256, size, ChunkSize, Timestamps.ToMicroseconds(DateTime.UtcNow))
                .Add("DELETE FROM blob_chunks WHERE sha256 = {0} AND EXISTS (SELECT 1 FROM blob_chunks WHERE sha256 = {1})", temporary, sha256)
                .Add("UPDATE blob_chunks SET sha256 = {0} WHERE sha256 = {1}", sha256, temporary);
            await batch.ExecuteAsync(database);
            return new BlobInfo(sha256, size, ChunkSize);
        }
        catch
        {
            await database.ExecuteAsync("DELETE FROM blob_chunks WHERE sha256 = @sha", p => p.Add("sha", temporary), CancellationToken.None);
            throw;
        }
    }

    public async Task<BlobInfo?> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var rows = await database.QueryAsync(
            "SELECT size, chunk_size FROM blobs WHERE sha256 = @sha",
            p => p.Add("sha", sha256),
            reader => new BlobInfo(sha256, reader.GetInt64(0), reader.GetInt32(1)),
            cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="offset"/> to <paramref name="destination"/>, a chunk at a time.</summary>
    public async Task CopyToAsync(BlobInfo blob, long offset, long length, Stream destination, CancellationToken cancellationToken = default)
    {
        var end = offset + length;
        for (var seq = (int)(offset / blob.ChunkSize); (long)seq * blob.ChunkSize < end; seq++)
        {
            var chunkStart = (long)seq * blob.ChunkSize;
            var data = await database.ScalarAsync<byte[]>(
                "SELECT data FROM blob_chunks WHERE sha256 = @sha AND seq = @seq",
                p => p.Add("sha", blob.Sha256).Add("seq", seq),
                cancellationToken) ?? throw new InvalidDataException($"Chunk {seq} of blob {blob.Sha256} is missing.");
            var from = (int)Math.Max(0, offset - chunkStart);
            var to = (int)Math.Min(data.Length, end - chunkStart);
            await destination.WriteAsync(data.AsMemory(from, to - from), cancellationToken);
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }
}
