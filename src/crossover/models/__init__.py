"""Real models: any Hugging Face causal LM by path, hub id, GGUF file or PEFT adapter, plus LoRA settings."""
