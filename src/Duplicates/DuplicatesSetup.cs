namespace CommerceManager.Duplicates;

public static class DuplicatesSetup
{
    public static IServiceCollection AddDuplicates(this IServiceCollection services)
    {
        services.AddOptions<DuplicateSettings>().BindConfiguration("Duplicates");
        services.AddSingleton<MergeService>();
        services.AddSingleton<DuplicateFinder>();
        services.AddHostedService(sp => sp.GetRequiredService<DuplicateFinder>());
        return services;
    }
}
