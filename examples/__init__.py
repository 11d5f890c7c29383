"""The bundled example problems (YAML), installed as the data package cnncalc.examples."""
