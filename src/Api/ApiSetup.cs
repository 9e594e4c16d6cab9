using CommerceManager.Api.Endpoints;
using CommerceManager.Api.Wire;
using CommerceManager.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CommerceManager.Api;

/// <summary>The EP-compatible API: its services, its middleware and its route table.</summary>
public static class ApiSetup
{
    public const string Policy = "api";
    /// <summary>Routes only a server holding an API secret may call (client_credentials tokens).</summary>
    public const string ClientCredentials = "api-client-credentials";

    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration("RateLimits");
        services.AddSingleton<ApiRateLimits>();
        services.AddRateLimiter(o => o.AddPolicy<string, StoreReadGate>(StoreReadGate.Policy));
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiAuthenticationHandler>(ApiAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(ApiAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(ClientCredentials, p => p.AddAuthenticationSchemes(ApiAuthenticationHandler.SchemeName).RequireRole(Roles.ApiClient));
        services.AddOptions<CorsSettings>().BindConfiguration("Cors");
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<CorsSettings>>((o, settings) => o.AddPolicy(Policy, settings.Value.Apply));
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath is { } p && (p.StartsWith("v2/", StringComparison.Ordinal) || p.StartsWith("oauth/", StringComparison.Ordinal));
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Commerce Manager API",
                    Version = "v2",
                    Description = "An Elastic Path Commerce Cloud–compatible customers API. Get a token from POST /oauth/access_token, then send " +
                        "Authorization: Bearer <token>; add X-Moltin-Customer-Token for a signed-in customer. Errors are {\"errors\":[{status,title,detail,source?}]}.",
                };
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer(ApiDocument.DescribeAsync);
        });
        return services;
    }

    /// <summary>
    /// CORS for the API only, answered before authentication: a browser's preflight carries no token, and every response
    /// (errors included) carries the headers so a storefront page can read EP's error. The console, the Identity pages
    /// and the API reference stay same-origin. Call after routing, before authentication.
    /// </summary>
    public static IApplicationBuilder UseApiCors(this IApplicationBuilder app) =>
        app.UseWhen(c => ApiErrors.IsApiPath(c.Request.Path), api => api.UseCors(Policy));

    /// <summary>API-only middleware: EP error bodies for empty error responses and a 1 MB body limit.</summary>
    public static IApplicationBuilder UseApiConventions(this IApplicationBuilder app) =>
        app.UseWhen(c => ApiErrors.IsApiPath(c.Request.Path), api =>
        {
            api.Use((context, next) =>
            {
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    limit.MaxRequestBodySize = ApiBody<CustomerData>.MaxBytes;
                }
                if (context.Request.ContentLength > ApiBody<CustomerData>.MaxBytes)
                {
                    throw new ApiException(413, "Payload Too Large", ApiErrors.DetailFor(413));
                }
                return next(context);
            });
            api.UseStatusCodePages(ApiErrors.StatusCodeBodyAsync);
        });

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        app.MapOAuthApi();
        app.MapOidcIdpApi();
        var v2 = app.MapGroup("/v2").RequireAuthorization(Policy);
        v2.MapCustomersApi();
        v2.MapAccountsApi();
        v2.MapAccountMembersApi();
        v2.MapIntegrationsApi();
        v2.MapAddressesApi();
        v2.MapCartsApi();
        v2.MapOrdersApi();
        v2.MapGatewaysApi();
        v2.MapFlowsApi();
        v2.MapSignInApi();
        v2.MapJobsApi();
        v2.MapPersonalDataApi();
        // Unknown routes, wrong methods and wrong content types under /v2 end as empty 404 / 405 / 415 responses,
        // which UseApiConventions turns into EP error bodies.
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api-reference", o => o
            .WithTitle("Commerce Manager API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
