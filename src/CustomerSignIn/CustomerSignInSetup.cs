namespace CommerceManager.CustomerSignIn;

public static class CustomerSignInSetup
{
    public static IServiceCollection AddCustomerSignIn(this IServiceCollection services)
    {
        services.AddOptions<SignInSettings>().BindConfiguration("CustomerSignIn");
        services.AddHttpClient(OidcProfileService.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<OidcProfileService>();
        services.AddSingleton<RealmService>();
        services.AddSingleton<OidcSignInService>();
        return services;
    }
}
