using System.Text;
using Embever.Actors.Files;

namespace Embever.Actors.Tests.Domain;

public sealed class DataUriTests
{
    [Theory]
    [InlineData("data:text/plain;base64,aGVsbG8=", "text/plain", "hello")]
    [InlineData("data:application/octet-stream;base64,", "application/octet-stream", "")]
    [InlineData("data:Text/Plain;charset=utf-8;base64,aGk=", "text/plain", "hi")]
    public void A_base64_data_uri_gives_its_media_type_and_bytes(string uri, string mediaType, string text)
    {
        Assert.True(DataUri.TryParse(uri, out var type, out var content));
        Assert.Equal(mediaType, type);
        Assert.Equal(text, Encoding.UTF8.GetString(content));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("data:text/plain,hello")]
    [InlineData("data:;base64,aGk=")]
    [InlineData("data:text/plain;base64,not*base64")]
    [InlineData("http://example.com/file.bin")]
    public void Anything_else_is_refused(string uri) => Assert.False(DataUri.TryParse(uri, out _, out _));
}
