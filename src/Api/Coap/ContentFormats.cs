namespace Embever.Actors.Api.Coap;

/// <summary>CoAP content-format numbers the gateway speaks (RFC 7252 §12.3, RFC 8949 §9.5).</summary>
public static class ContentFormats
{
    public const uint OctetStream = 42;
    public const uint Json = 50;
    public const uint Cbor = 60;
}
