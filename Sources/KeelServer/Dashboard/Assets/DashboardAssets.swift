/// The dashboard's static files, embedded as text so an installed binary needs no resources.
enum DashboardAssets {}
