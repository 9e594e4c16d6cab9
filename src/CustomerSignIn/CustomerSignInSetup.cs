using CommerceManager.Customers;
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
        services.AddCustomerBelongings<SignInLinkBelongings>();
        // A provider identity linked to a customer (or unlinked by a merge) is a sign-in change on its timeline.
        services.AddHistoryRule(HistoryRule.For<CustomerLogin>("user-authentication-oidc-profile-info", ChangeKinds.SignIn, l => l.Id, l => l.CustomerId,
                l => l.Email)
            .Field(nameof(CustomerLogin.ProfileId), "profile_id").Field(nameof(CustomerLogin.Subject), "subject").Field(nameof(CustomerLogin.Email), "email"));
        // Providers and the realms' settings on the Activity page (never a client secret).
        services.AddHistoryRule(HistoryRule.For<OidcProfile>("oidc-profile", ChangeKinds.Settings, p => p.Id, _ => null, p => p.Name)
            .Field(nameof(OidcProfile.Name), "name").Field(nameof(OidcProfile.DiscoveryUrl), "discovery_url").Field(nameof(OidcProfile.ClientId), "client_id")
            .Field(nameof(OidcProfile.Scopes), "scopes").Field(nameof(OidcProfile.RedirectUris), "redirect_uris").Field(nameof(OidcProfile.Enabled), "enabled"));
        foreach (var (key, label) in RealmService.RecordedSettings)
        {
            services.AddRecordedSetting(key, label);
        }
        return services;
    }
}
