using System.Net.Sockets;
using CommerceManager.Common;
using Microsoft.Extensions.Options;

namespace CommerceManager.CustomerSignIn;

/// <summary>
/// The connections the store makes to identity providers (discovery, keys, token endpoint), checked as
/// <see cref="OutboundConnections"/> says. <c>CustomerSignIn__AllowPrivateProviders</c> lifts the check for labs and tests.
/// </summary>
public static class ProviderConnections
{
    public static SocketsHttpHandler CreateHandler(IOptions<SignInSettings> settings) => OutboundConnections.CreateHandler(() => settings.Value.AllowPrivateProviders);

    /// <summary>What went wrong reaching a provider, in words safe to show (never the raw network error).</summary>
    public static string Category(Exception ex) => ex switch
    {
        PrivateAddressException => "the address is private or local, which the store does not call (CustomerSignIn__AllowPrivateProviders allows it for a lab)",
        _ when ex.InnerException is not null && Category(ex.InnerException) is var inner && inner != Unknown => inner,
        System.Security.Authentication.AuthenticationException => "TLS failed",
        SocketException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => "could not connect",
        TaskCanceledException or TimeoutException => "it did not answer in time",
        System.Text.Json.JsonException or ArgumentException => "not a discovery document",
        _ => Unknown,
    };

    private const string Unknown = "not a discovery document, or it could not be read";
}
