using System.Security.Claims;
using CommerceManager.Api.Wire;
using CommerceManager.Orders;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's payment gateway settings (client credentials only). The store has EP's manual gateway and no other; its
/// <c>enabled</c> flag lets storefronts record manual payments on the orders they own.
/// </summary>
public static class GatewaysApi
{
    public static RouteGroupBuilder MapGatewaysApi(this RouteGroupBuilder v2)
    {
        var gateways = v2.MapGroup("/gateways").WithTags("Payment gateways").RequireAuthorization(ApiSetup.ClientCredentials).ValidationErrors(422);
        gateways.MapGet("", ListAsync).WithSummary("List payment gateways (client credentials)").Produces<DataResponse<IReadOnlyList<GatewayResource>>>();
        gateways.MapGet("/{slug}", GetAsync).WithSummary("Get a payment gateway (client credentials)")
            .Produces<DataResponse<GatewayResource>>().Produces<ApiErrorBody>(404);
        gateways.MapPut("/manual", UpdateManualAsync).WithSummary("Turn storefront payments through the manual gateway on or off (client credentials)")
            .WithDescription("{\"data\":{\"enabled\":true|false}}. Off (the default): storefront tokens may not record payments. On: an implicit token " +
                "may pay (purchase or authorize) a guest order, and with a customer or account token that customer's or account's orders; capture " +
                "and refund stay with client credentials and staff.")
            .Produces<DataResponse<GatewayResource>>().Produces<ApiErrorBody>(422);
        return v2;
    }

    private static GatewayResource Resource(GatewayDto g) => new("gateway", g.Slug, g.Name, g.Enabled, false);

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, GatewayService gateways, CancellationToken ct) =>
        TypedResults.Json(new DataResponse<IReadOnlyList<GatewayResource>>((await gateways.ListAsync(user, ct)).Select(Resource).ToList()));

    private static async Task<IResult> GetAsync(string slug, ClaimsPrincipal user, GatewayService gateways, CancellationToken ct) =>
        await gateways.GetAsync(user, slug, ct) is { } gateway
            ? TypedResults.Json(new DataResponse<GatewayResource>(Resource(gateway)))
            : ApiErrors.Result(404, "Not Found", $"This store has no '{slug}' gateway: it records payments taken outside it through EP's manual gateway only.");

    private static async Task<IResult> UpdateManualAsync(ApiBody<GatewayData> body, ClaimsPrincipal user, GatewayService gateways, CancellationToken ct)
    {
        if (body.Data.Enabled.Value is not { } enabled)
        {
            throw new ApiException(422, "Failed Validation", "enabled is required: true or false.", "data.enabled");
        }
        return TypedResults.Json(new DataResponse<GatewayResource>(Resource(await gateways.SetManualEnabledAsync(user, enabled, ct))));
    }
}

/// <summary>EP's gateway object: <c>type</c>, <c>slug</c>, <c>name</c>, <c>enabled</c>, <c>test</c>.</summary>
public sealed record GatewayResource(string Type, string Slug, string Name, bool Enabled, bool Test);

/// <summary>EP's <c>PUT /v2/gateways/manual</c> body. The SDK's <c>Gateways.Enabled</c> also sends <c>type: gateway</c>, which is allowed.</summary>
public sealed record GatewayData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 422;

    public Optional<string> Type { get; init; }
    public Optional<bool?> Enabled { get; init; }
}
