using System.Buffers.Binary;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The AEAD protection of records in one direction (RFC 5246 §6.2.3.3, RFC 6347 §4.1.2.1): the
/// nonce is the 4-byte implicit IV and the 8-byte explicit nonce, which is the record's epoch and
/// sequence number, sent in the record. Records with a Connection ID (RFC 9146 §5) carry the
/// real content type inside (DTLSInnerPlaintext) and authenticate the CID in their additional
/// data. The cipher is made per record from the key: a held session keeps 20 bytes, not a cipher.
/// </summary>
public static class RecordProtection
{
    private const byte CidContentType = DtlsRecord.ConnectionIdType;

    /// <summary>The whole record: header, explicit nonce, ciphertext and tag.</summary>
    public static byte[] Seal(DtlsSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, byte type, ushort epoch, long sequence, ReadOnlySpan<byte> cid, ReadOnlySpan<byte> plaintext)
    {
        var inner = cid.IsEmpty ? plaintext.Length : plaintext.Length + 1;
        var header = DtlsRecord.HeaderSize + cid.Length;
        var record = new byte[header + suite.Expansion() + inner];
        var recordType = cid.IsEmpty ? type : CidContentType;
        DtlsRecord.WriteHeader(record, recordType, epoch, sequence, cid, (ushort)(suite.Expansion() + inner));

        var body = record.AsSpan(header);
        BinaryPrimitives.WriteUInt64BigEndian(body, DtlsRecord.Combine(epoch, sequence));
        var plain = new byte[inner];
        plaintext.CopyTo(plain);
        if (!cid.IsEmpty)
        {
            plain[^1] = type;
        }

        var cipher = Cipher(suite, forEncryption: true, key, iv, body[..DtlsSuites.ExplicitNonceSize], AdditionalData(recordType, epoch, sequence, cid, inner));
        var written = cipher.ProcessBytes(plain, 0, plain.Length, record, header + DtlsSuites.ExplicitNonceSize);
        cipher.DoFinal(record, header + DtlsSuites.ExplicitNonceSize + written);
        return record;
    }

    /// <summary>The plaintext and its real content type, or null when the record does not authenticate.</summary>
    public static (byte Type, byte[] Plaintext)? Open(DtlsSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, in DtlsRecord record)
    {
        var body = record.Fragment;
        var inner = body.Length - suite.Expansion();
        if (inner < (record.ConnectionId.IsEmpty ? 0 : 1))
        {
            return null;
        }

        var cipher = Cipher(suite, forEncryption: false, key, iv, body[..DtlsSuites.ExplicitNonceSize], AdditionalData(record.Type, record.Epoch, record.Sequence, record.ConnectionId, inner));
        var plain = new byte[inner];
        try
        {
            var encrypted = body[DtlsSuites.ExplicitNonceSize..].ToArray();
            var written = cipher.ProcessBytes(encrypted, 0, encrypted.Length, plain, 0);
            cipher.DoFinal(plain, written);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }

        if (record.ConnectionId.IsEmpty)
        {
            return (record.Type, plain);
        }

        // DTLSInnerPlaintext: content, the real type, then zero padding.
        var end = inner - 1;
        while (end >= 0 && plain[end] == 0)
        {
            end--;
        }

        return end < 0 ? null : (plain[end], plain[..end]);
    }

    private static IAeadCipher Cipher(DtlsSuite suite, bool forEncryption, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> explicitNonce, byte[] additionalData)
    {
        var nonce = new byte[DtlsSuites.ImplicitIvSize + DtlsSuites.ExplicitNonceSize];
        iv.CopyTo(nonce);
        explicitNonce.CopyTo(nonce.AsSpan(DtlsSuites.ImplicitIvSize));
        IAeadBlockCipher cipher = suite == DtlsSuite.PskAes128Ccm8 ? new CcmBlockCipher(new AesEngine()) : new GcmBlockCipher(new AesEngine());
        cipher.Init(forEncryption, new AeadParameters(new KeyParameter(key), suite.TagSize() * 8, nonce, additionalData));
        return cipher;
    }

    /// <summary>RFC 5246's seq_num + type + version + length; with a CID, RFC 9146 §5's form.</summary>
    private static byte[] AdditionalData(byte type, ushort epoch, long sequence, ReadOnlySpan<byte> cid, int length)
    {
        if (cid.IsEmpty)
        {
            var data = new byte[13];
            BinaryPrimitives.WriteUInt64BigEndian(data, DtlsRecord.Combine(epoch, sequence));
            data[8] = type;
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(9), DtlsRecord.Version12);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(11), (ushort)length);
            return data;
        }

        var withCid = new byte[23 + cid.Length];
        withCid.AsSpan(0, 8).Fill(0xFF);
        withCid[8] = CidContentType;
        withCid[9] = (byte)cid.Length;
        withCid[10] = CidContentType;
        BinaryPrimitives.WriteUInt16BigEndian(withCid.AsSpan(11), DtlsRecord.Version12);
        BinaryPrimitives.WriteUInt64BigEndian(withCid.AsSpan(13), DtlsRecord.Combine(epoch, sequence));
        cid.CopyTo(withCid.AsSpan(21));
        BinaryPrimitives.WriteUInt16BigEndian(withCid.AsSpan(21 + cid.Length), (ushort)length);
        return withCid;
    }
}
