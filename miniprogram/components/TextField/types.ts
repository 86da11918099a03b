export interface TextFieldProps {
  /** element id (the browser tests fill `#id`) */
  id: string;
  className?: string;
  value: string;
  placeholder?: string;
  maxLength?: number;
  /** 'idcard' and 'number' open the matching keyboard on a phone */
  kind?: 'text' | 'idcard' | 'number';
  onChange: (value: string) => void;
}
