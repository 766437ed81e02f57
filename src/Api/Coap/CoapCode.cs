namespace Embever.Actors.Api.Coap;

/// <summary>
/// A CoAP code: a class (0 request, 2 success, 4 client error, 5 server error) and a detail,
/// written <c>c.dd</c> (RFC 7252 §3, §12.1).
/// </summary>
public readonly record struct CoapCode(byte Value)
{
    public static readonly CoapCode Empty = new(0, 0);
    public static readonly CoapCode Get = new(0, 1);
    public static readonly CoapCode Post = new(0, 2);
    public static readonly CoapCode Put = new(0, 3);
    public static readonly CoapCode Delete = new(0, 4);
    public static readonly CoapCode Changed = new(2, 4);
    public static readonly CoapCode Content = new(2, 5);
    public static readonly CoapCode Continue = new(2, 31);
    public static readonly CoapCode BadRequest = new(4, 0);
    public static readonly CoapCode Unauthorized = new(4, 1);
    public static readonly CoapCode BadOption = new(4, 2);
    public static readonly CoapCode NotFound = new(4, 4);
    public static readonly CoapCode MethodNotAllowed = new(4, 5);
    public static readonly CoapCode NotAcceptable = new(4, 6);
    public static readonly CoapCode RequestEntityIncomplete = new(4, 8);
    public static readonly CoapCode RequestEntityTooLarge = new(4, 13);
    public static readonly CoapCode UnsupportedContentFormat = new(4, 15);
    public static readonly CoapCode TooManyRequests = new(4, 29);
    public static readonly CoapCode InternalServerError = new(5, 0);
    public static readonly CoapCode ServiceUnavailable = new(5, 3);

    public CoapCode(int @class, int detail)
        : this((byte)((@class << 5) | detail))
    {
    }

    public int Class => Value >> 5;

    public int Detail => Value & 0x1F;

    public override string ToString() => $"{Class}.{Detail:00}";
}
