namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's Account Management routes: this store uses EP Customers instead, so each answers EP's 404 and names the
/// Customers endpoint that does the same job (code written for both finds out at once, token or not).
/// </summary>
public static class AccountManagementApi
{
    private static readonly (string Route, string Instead)[] Routes =
    [
        ("/v2/account-members", "GET /v2/customers (customers are the store's shoppers)"),
        ("/v2/account-members/{**rest}", "/v2/customers/:id"),
        ("/v2/accounts", "/v2/customers"),
        ("/v2/accounts/{**rest}", "/v2/customers/:id and /v2/customers/:id/addresses"),
        ("/v2/settings/account-authentication", "GET /v2/settings/customer-authentication (then /v2/customers/tokens)"),
        ("/v2/account-management/{**rest}", "/v2/customers/tokens"),
    ];

    public static IEndpointRouteBuilder MapAccountManagementApi(this IEndpointRouteBuilder app)
    {
        foreach (var (route, instead) in Routes)
        {
            app.MapMethods(route, ["GET", "POST", "PUT", "DELETE"], () => ApiErrors.Result(404, "Not Found",
                    $"This store uses Elastic Path's Customers, not Account Management: use {instead} instead. See docs/ep-compatibility.md."))
                .AllowAnonymous()
                .WithTags("Account Management (not supported)")
                .ExcludeFromDescription();
        }
        return app;
    }
}
