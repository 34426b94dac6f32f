"""Domain services: the rules of crowdtiming, independent of HTTP and JSON-LD.

Each module is one noun (accounts, associations, campaigns, participation...);
web/, the CLI and later the federation handlers all call these functions.
"""
