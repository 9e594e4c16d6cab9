namespace CommerceManager.CustomerSignIn;

public static class CustomerSignInSetup
{
    public static IServiceCollection AddCustomerSignIn(this IServiceCollection services)
    {
        services.AddOptions<SignInSettings>().BindConfiguration("CustomerSignIn");
        services.AddHttpClient(OidcProfileService.HttpClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInSettings>>().Value.ProviderTimeoutSeconds)))
            .ConfigurePrimaryHttpMessageHandler(sp => ProviderConnections.CreateHandler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInSettings>>()));
        services.AddSingleton<OidcProfileService>();
        services.AddSingleton<RealmService>();
        services.AddSingleton<OidcSignInService>();
        return services;
    }
}
