using CommerceManager.History;

namespace CommerceManager.CustomerSignIn;

public static class CustomerSignInSetup
{
    public static IServiceCollection AddCustomerSignIn(this IServiceCollection services)
    {
        services.AddOptions<SignInSettings>().BindConfiguration("CustomerSignIn");
        services.AddHttpClient(OidcProfileService.HttpClientName)
            .ConfigureHttpClient((sp, c) =>
            {
                c.Timeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInSettings>>().Value.ProviderTimeoutSeconds));
                // Discovery documents, key sets and token answers are a few KB.
                c.MaxResponseContentBufferSize = 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => ProviderConnections.CreateHandler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInSettings>>()));
        services.AddSingleton<OidcProfileService>();
        services.AddSingleton<RealmService>();
        services.AddSingleton<OidcSignInService>();
        // A provider identity linked to a customer (or unlinked by a merge) is a sign-in change on its timeline.
        services.AddHistoryRule(HistoryRule.For<CustomerLogin>("user-authentication-oidc-profile-info", ChangeKinds.SignIn, l => l.Id, l => l.CustomerId,
                l => l.Email)
            .Field(nameof(CustomerLogin.ProfileId), "profile_id").Field(nameof(CustomerLogin.Subject), "subject").Field(nameof(CustomerLogin.Email), "email"));
        return services;
    }
}
